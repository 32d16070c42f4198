package dev.settle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.web.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The benchmark's HTTP client: plain HTTP/1.1 over kept-alive sockets, one request at a time on
 * each, pooled. The load generator shares the machine's cores with Settle and PostgreSQL, as
 * pgbench's client does; Java's {@code HttpClient} spent a fifth of the machine's CPU time here
 * (its selector thread and handoffs on every request), which Settle then did not get. The fault
 * harness sends with it too: it reads an answer that came before the body was all sent. Sockets
 * are closed by the server or when the bench exits.
 */
final class DeskConnections {
    /** How long the bench waits for a connection or an answer. */
    static final java.time.Duration DESK_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** A response: its status and body (a JSON document, as Settle's API answers). */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }

    private final String host;
    private final int port;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();

    private final int timeoutMillis;

    DeskConnections(String base, java.time.Duration timeout) {
        final URI uri = URI.create(base);
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    }

    /** Sends a request and reads its reply; empty when the server gave none (connection refused or closed). */
    Optional<Reply> send(String method, String path, String apiKey, Optional<String> idempotencyKey, String body) {
        final byte[] content = body.getBytes(StandardCharsets.UTF_8);
        final StringBuilder head = new StringBuilder(256)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append(':')
                .append(port)
                .append("\r\nAuthorization: Bearer ")
                .append(apiKey)
                .append("\r\nAccept: application/json\r\n");
        idempotencyKey.ifPresent(
                key -> head.append("Idempotency-Key: ").append(key).append("\r\n"));
        if (content.length > 0) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        final byte[] request = head.toString().getBytes(StandardCharsets.US_ASCII);
        // A kept-alive connection the server has since closed fails before any answer: once more on a
        // new one (not the next kept one: after a long idle the server has closed them all).
        for (int attempt = 0; attempt < 2; attempt++) {
            final Connection kept = attempt == 0 ? idle.poll() : null;
            final boolean reused = kept != null;
            final Connection connection;
            try {
                connection = reused ? kept : open();
            } catch (IOException e) {
                return Optional.empty();
            }
            try {
                final Reply reply = connection.exchange(request, content);
                if (connection.keepAlive) {
                    idle.add(connection);
                } else {
                    connection.close();
                }
                return Optional.of(reply);
            } catch (IOException e) {
                connection.close();
                if (!reused || connection.answered) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private Connection open() throws IOException {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        return new Connection(socket);
    }

    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private boolean keepAlive = true;
        /** Whether any byte of the current reply arrived: then a failure is not a stale connection. */
        private boolean answered;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        /** Sends one request and reads its reply; {@link #answered} tells whether any of it came. */
        Reply exchange(byte[] request, byte[] content) throws IOException {
            // Reset before writing: a write to a connection the server has closed fails too.
            answered = false;
            try {
                out.write(request);
                out.write(content);
                out.flush();
            } catch (IOException sending) {
                // A server may answer before the body is all sent and close (Jetty does for a request
                // it cannot parse); its answer is then already here, and a careful client reads it.
                try {
                    final Reply early = read();
                    keepAlive = false;
                    return early;
                } catch (IOException unanswered) {
                    sending.addSuppressed(unanswered);
                    throw sending;
                }
            }
            return read();
        }

        private Reply read() throws IOException {
            final String statusLine = line();
            final String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP reply: " + statusLine);
            }
            final int status = Integer.parseInt(parts[1]);
            int length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                final int colon = header.indexOf(':');
                final String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                final String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Integer.parseInt(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
                    default -> {}
                }
            }
            final byte[] body;
            if (chunked) {
                final ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int size = chunkSize(); size > 0; size = chunkSize()) {
                    all.write(in.readNBytes(size));
                    line();
                }
                skipTrailers();
                body = all.toByteArray();
            } else if (length >= 0) {
                body = in.readNBytes(length);
                if (body.length < length) {
                    throw new IOException("the reply ended early");
                }
            } else {
                body = in.readAllBytes();
                keepAlive = false;
            }
            return new Reply(status, new String(body, StandardCharsets.UTF_8));
        }

        /** A chunk's size line: hexadecimal, perhaps with extensions after a semicolon. */
        private int chunkSize() throws IOException {
            return Integer.parseInt(line().split(";")[0].trim(), 16);
        }

        private void skipTrailers() throws IOException {
            while (!line().isEmpty()) {
                // nothing the bench reads comes in a trailer
            }
        }

        /** One header line, without its CRLF. */
        private String line() throws IOException {
            final StringBuilder line = new StringBuilder(64);
            for (int next = in.read(); ; next = in.read()) {
                if (next < 0) {
                    throw new IOException("the connection closed");
                }
                answered = true;
                if (next == '\n') {
                    final int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) next);
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a broken connection: nothing to do
            }
        }
    }
}
