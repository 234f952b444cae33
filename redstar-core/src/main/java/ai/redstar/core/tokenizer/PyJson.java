package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's {@code json.dumps}, as transformers' {@code tojson} filter calls it. */
final class PyJson {
    private PyJson() {
    }

    /**
     * Serialises like {@code json.dumps(value, ensure_ascii=ensureAscii, indent=indent, separators=separators,
     * sort_keys=sortKeys)}.
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String indentText = null;
        if (indent != null) {
            if (indent instanceof String s) {
                indentText = s;
            } else if (indent instanceof Long || indent instanceof Boolean) {
                indentText = " ".repeat((int) Math.max(0, Math.min(1000, PyOps.toLong(indent))));
            } else {
                throw new JinjaError("indent must be an integer or a string, not " + PyOps.typeName(indent));
            }
        }
        String itemSeparator = indentText == null ? ", " : ",";
        String keySeparator = ": ";
        if (separators != null) {
            List<Object> pair = separators instanceof Tuple t ? t.items()
                    : separators instanceof List<?> l ? new ArrayList<>(l) : null;
            if (pair == null || pair.size() != 2 || !(pair.get(0) instanceof String)
                    || !(pair.get(1) instanceof String)) {
                throw new JinjaError("separators must be a pair of strings");
            }
            itemSeparator = (String) pair.get(0);
            keySeparator = (String) pair.get(1);
        }
        StringBuilder out = new StringBuilder();
        new PyJson.Encoder(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys).encode(value, out, 0);
        return out.toString();
    }

    private record Encoder(boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
            boolean sortKeys) {
        void encode(Object v, StringBuilder out, int level) {
            if (level > 200) {
                throw new JinjaError("value is nested too deeply for tojson");
            }
            if (v == null) {
                out.append("null");
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Long l) {
                out.append(l.longValue());
            } else if (v instanceof Double d) {
                out.append(floatJson(d));
            } else if (v instanceof String s) {
                string(s, out);
            } else if (v instanceof JinjaValues.Range) {
                throw new JinjaError("Object of type range is not JSON serializable");
            } else if (v instanceof List<?> || v instanceof Tuple) {
                List<?> items = v instanceof Tuple t ? t.items() : (List<?>) v;
                if (items.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    newline(out, level + 1);
                    encode(items.get(i), out, level + 1);
                }
                newline(out, level);
                out.append(']');
            } else if (v instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<String, Object>> entries = new ArrayList<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL : e.getValue()));
                }
                if (sortKeys) {
                    entries.sort((x, y) -> PyOps.compareCodePoints(x.getKey(), y.getKey()));
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : entries) {
                    if (!first) {
                        out.append(itemSeparator);
                    }
                    first = false;
                    newline(out, level + 1);
                    string(e.getKey(), out);
                    out.append(keySeparator);
                    encode(e.getValue() == NULL ? null : e.getValue(), out, level + 1);
                }
                newline(out, level);
                out.append('}');
            } else {
                throw new JinjaError("Object of type " + PyOps.typeName(v) + " is not JSON serializable");
            }
        }

        private void newline(StringBuilder out, int level) {
            if (indent != null) {
                out.append('\n');
                for (int i = 0; i < level; i++) {
                    out.append(indent);
                }
            }
        }

        private static String key(Object k) {
            if (k instanceof String s) {
                return s;
            }
            if (k instanceof Boolean b) {
                return b ? "true" : "false";
            }
            if (k == null) {
                return "null";
            }
            if (k instanceof Long l) {
                return Long.toString(l);
            }
            if (k instanceof Double d) {
                return floatJson(d);
            }
            throw new JinjaError("keys must be str, int, float, bool or None, not " + PyOps.typeName(k));
        }

        private void string(String s, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"':
                        out.append("\\\"");
                        break;
                    case '\\':
                        out.append("\\\\");
                        break;
                    case '\n':
                        out.append("\\n");
                        break;
                    case '\r':
                        out.append("\\r");
                        break;
                    case '\t':
                        out.append("\\t");
                        break;
                    case '\b':
                        out.append("\\b");
                        break;
                    case '\f':
                        out.append("\\f");
                        break;
                    default:
                        if (c < 0x20 || (ensureAscii && c > 0x7E)) {
                            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                }
            }
            out.append('"');
        }
    }

    private static final Object NULL = new Object();

    private static String floatJson(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyOps.floatRepr(d);
    }
}
