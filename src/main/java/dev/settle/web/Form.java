package dev.settle.web;

import dev.settle.Problem;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a person typed into a form, and what was wrong with it: a page shows the values again with
 * each message beside its field, so nothing typed is lost to a mistake.
 */
public final class Form {
    /** Where a message goes that belongs to no one field. */
    public static final String WHOLE_FORM = "_form";

    private final Map<String, String> values;
    private final Map<String, String> errors;

    private Form(Map<String, String> values, Map<String, String> errors) {
        this.values = values;
        this.errors = errors;
    }

    public static Form empty() {
        return new Form(Map.of(), Map.of());
    }

    public static Form of(Map<String, String> values) {
        return new Form(Map.copyOf(values), Map.of());
    }

    public static Form of(Context ctx) {
        final Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> param : ctx.formParamMap().entrySet()) {
            if (!param.getValue().isEmpty() && !param.getKey().equals(StaffAuth.CSRF_FIELD)) {
                values.put(param.getKey(), param.getValue().getFirst());
            }
        }
        return new Form(values, Map.of());
    }

    /** The same values with the problem's message beside its field. */
    public Form withError(Problem problem) {
        final Map<String, String> withError = new LinkedHashMap<>(errors);
        withError.put(problem.field().orElse(WHOLE_FORM), problem.detail());
        return new Form(values, withError);
    }

    /**
     * Checks each field in turn and keeps every message, so a person fixes all of them in one go
     * rather than one per submit.
     */
    public final class Checks {
        private Form checked = Form.this;

        /** The checked value, or empty (and the message noted) if the field is wrong. */
        public <T> Optional<T> field(java.util.function.Supplier<T> check) {
            try {
                return Optional.of(check.get());
            } catch (Problem problem) {
                checked = checked.withError(problem);
                return Optional.empty();
            }
        }

        /** The form with every message found so far. */
        public Form form() {
            return checked;
        }
    }

    public Checks checks() {
        return new Checks();
    }

    /** The value as typed; "" if the field was not sent. */
    public String value(String name) {
        return values.getOrDefault(name, "");
    }

    /** A checkbox: sent only when ticked. */
    public boolean checked(String name) {
        return values.containsKey(name);
    }

    public Optional<String> error(String name) {
        return Optional.ofNullable(errors.get(name));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }
}
