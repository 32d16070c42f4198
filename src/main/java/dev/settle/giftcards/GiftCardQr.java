package dev.settle.giftcards;

import io.nayuki.qrcodegen.QrCode;

/** A gift card's code as a QR code (SVG), so the desk can scan it instead of typing 16 characters. */
public final class GiftCardQr {
    private static final int BORDER = 2;

    private GiftCardQr() {}

    public static String svg(String groupedCode) {
        final QrCode qr = QrCode.encodeText(groupedCode, QrCode.Ecc.MEDIUM);
        final int size = qr.size + BORDER * 2;
        final StringBuilder path = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    path.append('M')
                            .append(x + BORDER)
                            .append(',')
                            .append(y + BORDER)
                            .append("h1v1h-1z");
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size
                + "\" role=\"img\" aria-label=\"QR code of the gift card's code\" shape-rendering=\"crispEdges\">"
                + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"" + path + "\" fill=\"#000\"/></svg>";
    }
}
