package dev.settle.statements;

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
            builder.withHtmlContent(xhtml.toString(), null);
            builder.toStream(pdf);
            builder.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pdf.toByteArray();
    }
}
