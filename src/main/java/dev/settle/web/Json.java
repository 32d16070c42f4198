package dev.settle.web;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.settle.Problem;
import io.javalin.http.Context;

/**
 * The one JSON mapper, strict on the way in: unknown fields, fractions where whole minor units
 * are expected, trailing garbage and numbers out of range are all refused with the field named.
 */
public final class Json {
    private static final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .addModule(new SimpleModule().addDeserializer(String.class, new StorableText()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // "4000" is not 4000, and 4000 is not "4000": no silent conversions between scalars.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(
                    LogicalType.Textual,
                    config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private Json() {}

    /**
     * Text PostgreSQL can store: no NUL characters and no broken UTF-16 (a lone surrogate). Refused
     * here, with the field named, rather than failing deep in the database.
     */
    private static final class StorableText extends StdScalarDeserializer<String> {
        private static final long serialVersionUID = 1L;

        StorableText() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws java.io.IOException {
            final String value = StringDeserializer.instance.deserialize(parser, context);
            if (value != null && !isStorable(value)) {
                throw InvalidFormatException.from(
                        parser, "text must not contain NUL characters or broken Unicode", value, String.class);
            }
            return value;
        }

        private static boolean isStorable(String value) {
            for (int index = 0; index < value.length(); index++) {
                final char c = value.charAt(index);
                if (c == 0) {
                    return false;
                }
                if (Character.isHighSurrogate(c)) {
                    if (index + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(index + 1))) {
                        return false;
                    }
                    index++;
                } else if (Character.isLowSurrogate(c)) {
                    return false;
                }
            }
            return true;
        }
    }

    public static ObjectMapper mapper() {
        return mapper;
    }

    public static String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON for " + value.getClass(), e);
        }
    }

    /** The request body as {@code type}, or a problem saying which field is wrong and how. */
    public static <T> T read(Context ctx, Class<T> type) {
        final String contentType = ctx.contentType();
        if (contentType == null
                || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new Problem(
                    Problem.Kind.UNSUPPORTED_MEDIA_TYPE, null, "send the body as Content-Type: application/json");
        }
        final byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw new Problem(Problem.Kind.MALFORMED_JSON, null, "the request body is empty");
        }
        return read(body, type);
    }

    static <T> T read(byte[] body, Class<T> type) {
        try {
            final T value = mapper.readValue(body, type);
            if (value == null) {
                throw new Problem(Problem.Kind.MALFORMED_JSON, null, "the request body must be a JSON object");
            }
            return value;
        } catch (JsonMappingException e) {
            throw Problem.validation(path(e), cleanMessage(e));
        } catch (StreamReadException e) {
            final String field = fieldOf(e.getProcessor());
            if (e instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
                throw Problem.validation(field, "number is out of range");
            }
            throw new Problem(Problem.Kind.MALFORMED_JSON, field, cleanMessage(e));
        } catch (java.io.IOException e) {
            throw new Problem(Problem.Kind.MALFORMED_JSON, null, "the request body could not be read");
        }
    }

    private static String path(JsonMappingException e) {
        final StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }

    private static String fieldOf(Object processor) {
        if (processor instanceof JsonParser parser && parser.getParsingContext() != null) {
            final String pointer = parser.getParsingContext().pathAsPointer().toString();
            if (pointer.isEmpty()) {
                return null;
            }
            // "/postings/0/amountMinor" -> "postings[0].amountMinor", the form every other error uses
            return pointer.substring(1).replaceAll("/(\\d+)", "[$1]").replace('/', '.');
        }
        return null;
    }

    /** Jackson's message without the Java class names and source positions it appends. */
    private static String cleanMessage(JacksonException e) {
        String message = e.getOriginalMessage();
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() == String.class) {
            return message;
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown) {
            return "unknown field \"" + unknown.getPropertyName() + "\"";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException
                || e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException) {
            final Class<?> target = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatched
                    ? mismatched.getTargetType()
                    : null;
            if (target == Long.class || target == long.class || target == Integer.class || target == int.class) {
                return "must be a whole number (amounts are integer minor units, e.g. 1050 for 10.50)";
            }
            if (target == String.class) {
                return "must be a string";
            }
            if (target != null && java.util.List.class.isAssignableFrom(target)) {
                return "must be an array";
            }
            if (target != null && target.isRecord()) {
                return "must be an object";
            }
        }
        message = message == null ? "invalid JSON" : message;
        final int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline))
                .replaceAll("\\(class [^)]*\\)", "")
                .replaceAll("`[a-zA-Z0-9_.$]+`", "value")
                .strip();
    }
}
