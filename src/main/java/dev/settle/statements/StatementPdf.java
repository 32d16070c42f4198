package dev.settle.statements;

import com.openhtmltopdf.outputdevice.helper.BaseRendererBuilder;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import dev.settle.clients.ClientHistory;
import dev.settle.web.Formats;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A statement as a PDF: XHTML from {@code statements/statement.jte}, laid out by openhtmltopdf. */
public final class StatementPdf {
    private static final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    static {
        // openhtmltopdf tells java.util.logging, at INFO, how fast it parsed each PDF's stylesheets;
        // only its warnings belong in Settle's log.
        com.openhtmltopdf.util.XRLog.listRegisteredLoggers()
                .forEach(logger -> com.openhtmltopdf.util.XRLog.setLevel(logger, java.util.logging.Level.WARNING));
    }

    private StatementPdf() {}

    public static byte[] render(Statements.Statement statement) {
        final Formats formats = new Formats(
                statement.business().locale(),
                statement.business().timeZone(),
                statement.business().currency());
        final StringOutput xhtml = new StringOutput();
        engine.render(
                "statements/statement.jte",
                Map.of("statement", statement, "formats", formats, "kinds", ClientHistory.KINDS),
                xhtml);
        final ByteArrayOutputStream pdf = new ByteArrayOutputStream();
        try {
            final PdfRendererBuilder builder = new PdfRendererBuilder();
            builder.useFastMode();
            // A bundled font: the PDF base fonts lack what many locales write (− in Swedish
            // amounts, zł, ł, ő), which would print as #.
            builder.useFont(
                    () -> font("DejaVuSans.ttf"), "DejaVu Sans", 400, BaseRendererBuilder.FontStyle.NORMAL, true);
            builder.useFont(
                    () -> font("DejaVuSans-Bold.ttf"), "DejaVu Sans", 700, BaseRendererBuilder.FontStyle.NORMAL, true);
            builder.withHtmlContent(xmlSafe(xhtml.toString()), null);
            builder.toStream(pdf);
            builder.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pdf.toByteArray();
    }

    /** Characters XML refuses (U+FFFE, say), which a name could hold, dropped so the page still parses. */
    static String xmlSafe(String xhtml) {
        return NOT_XML.matcher(xhtml).replaceAll("");
    }

    private static final java.util.regex.Pattern NOT_XML = java.util.regex.Pattern.compile(
            "[^\\x09\\x0A\\x0D\\x20-\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}]");

    private static java.io.InputStream font(String name) {
        return StatementPdf.class.getResourceAsStream("/fonts/" + name);
    }
}
