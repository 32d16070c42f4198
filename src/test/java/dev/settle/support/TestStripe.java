package dev.settle.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * One WireMock server standing in for Stripe's HTTP API for the test run: the test app's Stripe
 * client is pointed at it, and each test stubs what Stripe would answer.
 */
public final class TestStripe {
    private static WireMockServer server;

    private TestStripe() {}

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        }
        return server;
    }

    public static String apiBase() {
        return "http://127.0.0.1:" + server().port();
    }
}
