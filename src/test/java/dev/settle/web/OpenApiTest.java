package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** openapi.yaml is written by hand; this holds it equal to the route table. */
class OpenApiTest {

    @Test
    void openApiDescribesExactlyTheRoutesSettleServes() throws Exception {
        final JsonNode spec;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            spec = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        final Set<String> documented = new TreeSet<>();
        spec.get("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    if (Set.of("get", "post", "put", "patch", "delete").contains(operation.getKey())) {
                        documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));
        final Set<String> served = new TreeSet<>();
        final List<WebServer.Route> routes = WebServer.routes();
        routes.forEach(route -> served.add(route.method().name() + " " + route.path()));

        assertThat(documented).isEqualTo(served);
        assertThat(new ArrayList<>(served)).isNotEmpty();
    }
}
