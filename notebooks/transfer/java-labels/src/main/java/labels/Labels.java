package labels;

import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.HexFormat;
import java.util.Locale;

/** What the service computes: label text for a mainframe printer, prices for a locale. */
public final class Labels {
    /** The code page of the label printers (EBCDIC, US/Canada). */
    public static final String PRINTER_CHARSET = "IBM037";

    private Labels() {}

    /** The bytes a label printer receives for {@code text}, as hex. */
    public static String printerBytes(String text) {
        Charset charset = Charset.forName(PRINTER_CHARSET);
        return HexFormat.of().formatHex(text.getBytes(charset));
    }

    /** {@code amount} in {@code currency}, written the way {@code languageTag} writes money. */
    public static String price(String amount, String currency, String languageTag) {
        Locale locale = Locale.forLanguageTag(languageTag);
        if (locale.getLanguage().isEmpty()) {
            throw new IllegalArgumentException("locale must be a language tag such as de-CH");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(amount);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("amount must be a decimal number such as 1234.5");
        }
        NumberFormat format = NumberFormat.getCurrencyInstance(locale);
        try {
            format.setCurrency(Currency.getInstance(currency));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code such as CHF");
        }
        return format.format(value);
    }
}
