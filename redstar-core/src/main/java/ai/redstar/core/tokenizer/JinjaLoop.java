package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.Arguments;
import ai.redstar.core.tokenizer.JinjaValues.Function;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import java.util.List;

/** The {@code loop} variable of a {@code for} block (Jinja's {@code LoopContext}). */
final class JinjaLoop {
    private final List<Object> items;
    private final int depth;
    private int index0;
    private List<Object> lastChanged;

    JinjaLoop(List<Object> items, int depth) {
        this.items = items;
        this.depth = depth;
    }

    void advance(int newIndex0) {
        this.index0 = newIndex0;
    }

    long index() {
        return index0 + 1L;
    }

    long length() {
        return items.size();
    }

    Object attribute(String name) {
        switch (name) {
            case "index":
                return (long) index0 + 1;
            case "index0":
                return (long) index0;
            case "revindex":
                return (long) items.size() - index0;
            case "revindex0":
                return (long) items.size() - index0 - 1;
            case "first":
                return index0 == 0;
            case "last":
                return index0 == items.size() - 1;
            case "length":
                return (long) items.size();
            case "depth":
                return (long) depth;
            case "depth0":
                return (long) depth - 1;
            case "previtem":
                return index0 > 0 ? items.get(index0 - 1)
                        : new Undefined("there is no previous item");
            case "nextitem":
                return index0 + 1 < items.size() ? items.get(index0 + 1)
                        : new Undefined("there is no next item");
            case "cycle":
                return new Function("cycle", (renderer, args, position) -> cycle(args));
            case "changed":
                return new Function("changed", (renderer, args, position) -> changed(args));
            default:
                return new Undefined("'LoopContext' object has no attribute '" + name + "'");
        }
    }

    private Object cycle(Arguments args) {
        if (!args.keywords.isEmpty()) {
            throw new JinjaError("loop.cycle() takes no keyword arguments");
        }
        if (args.positional.isEmpty()) {
            throw new JinjaError("no items for cycling given");
        }
        return args.positional.get(index0 % args.positional.size());
    }

    private Object changed(Arguments args) {
        List<Object> values = List.copyOf(args.positional.stream().map(v -> v == null ? (Object) "\0none" : v)
                .toList());
        boolean changed = lastChanged == null || lastChanged.size() != values.size();
        if (!changed) {
            for (int i = 0; i < values.size(); i++) {
                if (!PyOps.eq(values.get(i), lastChanged.get(i))) {
                    changed = true;
                    break;
                }
            }
        }
        lastChanged = values;
        return changed;
    }
}
