package ai.redstar.core.tokenizer;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One message of a conversation, as chat templates and TRL-style data files ({@code {"role": ..., "content": ...}})
 * see it. Immutable.
 *
 * @param role who speaks
 * @param content the text (may be empty, never null)
 */
public record ChatMessage(Role role, String content) {
    /** The speaker of a message; {@link #wireName()} is the string data files and templates use. */
    public enum Role {
        SYSTEM("system"),
        USER("user"),
        ASSISTANT("assistant"),
        TOOL("tool");

        private final String wireName;

        Role(String wireName) {
            this.wireName = wireName;
        }

        /** The role as written in data files and seen by chat templates ("system", "user", ...). */
        public String wireName() {
            return wireName;
        }

        /**
         * The role with the given wire name.
         *
         * @throws IllegalArgumentException naming the value and the accepted ones
         */
        public static Role fromWireName(String name) {
            Objects.requireNonNull(name, "name");
            for (Role role : values()) {
                if (role.wireName.equals(name)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown message role '" + name + "'; expected one of "
                    + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * A message from the role's wire name.
     *
     * @throws IllegalArgumentException when the role is not system, user, assistant or tool
     */
    public static ChatMessage of(String role, String content) {
        return new ChatMessage(Role.fromWireName(role), content);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    public static ChatMessage tool(String content) {
        return new ChatMessage(Role.TOOL, content);
    }
}
