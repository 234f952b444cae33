package ai.redstar.verify.math;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Units of measure that may follow a numeric answer ({@code 5 cm}, {@code 12\text{ dollars}},
 * {@code 3\,\mathrm{m}^2}), each spelling mapped to one canonical name so that {@code cm} and
 * {@code centimeters} are the same unit.
 */
final class Units {

    private Units() {
    }

    private static final Map<String, String> UNITS = new HashMap<>();

    /** One-letter units, recognised only inside {@code \text{..}} or {@code \mathrm{..}}: elsewhere a letter is a variable. */
    private static final Set<String> LETTERS = Set.of("m", "s", "g", "h", "L", "l", "J", "W");

    static {
        unit("mm", "mm", "millimeter", "millimeters", "millimetre", "millimetres");
        unit("cm", "cm", "centimeter", "centimeters", "centimetre", "centimetres");
        unit("m", "m", "meter", "meters", "metre", "metres");
        unit("km", "km", "kilometer", "kilometers", "kilometre", "kilometres");
        unit("in", "inch", "inches");
        unit("ft", "ft", "foot", "feet");
        unit("yd", "yd", "yard", "yards");
        unit("mi", "mile", "miles");
        unit("mg", "mg", "milligram", "milligrams");
        unit("g", "g", "gram", "grams", "gramme", "grammes");
        unit("kg", "kg", "kilogram", "kilograms", "kilo", "kilos");
        unit("lb", "lb", "lbs", "pound", "pounds");
        unit("oz", "oz", "ounce", "ounces");
        unit("t", "ton", "tons", "tonne", "tonnes");
        unit("s", "s", "sec", "secs", "second", "seconds");
        unit("min", "min", "mins", "minute", "minutes");
        unit("h", "h", "hr", "hrs", "hour", "hours");
        unit("day", "day", "days");
        unit("week", "week", "weeks");
        unit("month", "month", "months");
        unit("year", "year", "years", "yr", "yrs");
        unit("l", "l", "liter", "liters", "litre", "litres");
        unit("ml", "ml", "milliliter", "milliliters", "millilitre", "millilitres");
        unit("gal", "gal", "gallon", "gallons");
        unit("dollar", "$", "dollar", "dollars", "usd");
        unit("cent", "cent", "cents");
        unit("euro", "euro", "euros", "eur");
        unit("yuan", "yuan", "rmb");
        unit("mph", "mph");
        unit("kph", "kph", "kmh");
        unit("rad", "rad", "rads", "radian", "radians");
        unit("unit", "unit", "units");
        unit("sq", "sq", "square");
        unit("cu", "cubic");
        unit("j", "j", "joule", "joules");
        unit("w", "w", "watt", "watts");
        unit("n", "newton", "newtons");
        unit("pa", "pa", "pascal", "pascals");
        unit("mile/h", "mi/h");
    }

    private static void unit(String canonical, String... spellings) {
        for (String spelling : spellings) {
            UNITS.put(spelling, canonical);
        }
    }

    /**
     * The canonical unit a word names, or {@code null}. A one-letter unit counts only inside a text command,
     * since elsewhere {@code m} or {@code s} is a variable.
     */
    static String canonical(String word, boolean fromText) {
        if (word.length() == 1 && !(fromText && LETTERS.contains(word)) && !word.equals("$")) {
            return null;
        }
        if (word.equals("in") && !fromText) {
            return null;
        }
        return UNITS.get(word.toLowerCase(Locale.ROOT));
    }
}
