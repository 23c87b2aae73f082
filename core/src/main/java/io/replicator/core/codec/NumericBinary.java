package io.replicator.core.codec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL numeric binary encoding as 16-bit words: {ndigits, weight, sign, dscale, digit...}. */
final class NumericBinary {
    private NumericBinary() {}

    static short[] encode(BigDecimal value) {
        int sign = value.signum() < 0 ? 0x4000 : 0;
        BigDecimal v = value.abs();
        if (v.scale() < 0) v = v.setScale(0);
        int dscale = v.scale();
        String digits = v.unscaledValue().toString();
        int intLen = digits.length() - dscale;
        String intPart = intLen > 0 ? digits.substring(0, intLen) : "";
        String fracPart = intLen >= 0 ? digits.substring(intLen) : "0".repeat(-intLen) + digits;
        int intPad = (4 - intPart.length() % 4) % 4;
        intPart = "0".repeat(intPad) + intPart;
        int fracPad = (4 - fracPart.length() % 4) % 4;
        fracPart = fracPart + "0".repeat(fracPad);
        List<Integer> groups = new ArrayList<>();
        for (int i = 0; i < intPart.length(); i += 4) groups.add(Integer.parseInt(intPart.substring(i, i + 4)));
        int weight = groups.size() - 1;
        for (int i = 0; i < fracPart.length(); i += 4) groups.add(Integer.parseInt(fracPart.substring(i, i + 4)));
        int start = 0;
        while (start < groups.size() && groups.get(start) == 0) {
            start++;
            weight--;
        }
        int end = groups.size();
        while (end > start && groups.get(end - 1) == 0) end--;
        if (start == end) { // zero
            return new short[] {0, 0, 0, (short) dscale};
        }
        short[] out = new short[4 + end - start];
        out[0] = (short) (end - start);
        out[1] = (short) weight;
        out[2] = (short) sign;
        out[3] = (short) dscale;
        for (int i = start; i < end; i++) out[4 + i - start] = (short) (int) groups.get(i);
        return out;
    }
}
