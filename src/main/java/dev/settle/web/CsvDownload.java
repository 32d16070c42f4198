package dev.settle.web;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** A CSV file sent as a download, as spreadsheet programs read it. */
public final class CsvDownload {

    /** Writes the file's records. */
    public interface Rows {
        void print(CSVPrinter printer) throws IOException;
    }

    private CsvDownload() {}

    public static void send(Context ctx, String filename, Rows rows) {
        send(ctx, filename, write(rows));
    }

    /** A file already written (see {@link #write}). */
    public static void send(Context ctx, String filename, byte[] content) {
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        ctx.result(content);
    }

    /** The whole file, in UTF-8 (one byte a character for most of it: a long export is large). */
    public static byte[] write(Rows rows) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        // A byte order mark, so spreadsheet programs read the file as UTF-8 (accents, dashes).
        out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        try (CSVPrinter printer =
                new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8), CSVFormat.DEFAULT)) {
            rows.print(printer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Text a spreadsheet must not run as a formula: a leading = + - @ (or tab, return) gets a quote
     * in front. Amounts are written as plain numbers and need none.
     */
    public static String asText(String text) {
        return text.isEmpty() || "=+-@\t\r".indexOf(text.charAt(0)) < 0 ? text : "'" + text;
    }
}
