using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// Reads a numeric magic-command option strictly. .NET Interactive hands every option value to System.Text.Json as a
/// string, which takes "NaN" and "Infinity" for numbers (a NaN threshold then silently finds every channel dead) and
/// reports anything else as "DNI106 Invalid JSON ... System.Nullable`1[System.Int32]". This reads the text itself, so a
/// value that is not a finite number (or not a whole number where a count is meant) gets a message naming the option.
/// The kernel shows the message as "DNI108: ...".
/// </summary>
/// <param name="option">The option as the user types it, e.g. <c>--threshold</c>.</param>
[AttributeUsage(AttributeTargets.Property)]
sealed class NumberOptionAttribute(string option) : JsonConverterAttribute
{
    public override JsonConverter? CreateConverter(Type typeToConvert) =>
        typeToConvert == typeof(int?) ? new WholeNumber(option)
        : typeToConvert == typeof(float?) ? new FiniteNumber(option)
        : throw new InvalidOperationException($"{nameof(NumberOptionAttribute)} reads int? and float? options, not {typeToConvert.Name}.");

    sealed class WholeNumber(string option) : JsonConverter<int?>
    {
        public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text = OptionText.Read(ref reader);
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                if (value is < int.MinValue or > int.MaxValue)
                    throw new ArgumentException($"{option} {text} is too large; give a whole number up to {int.MaxValue}.");
                return (int)value;
            }
            string what = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                ? double.IsFinite(d) ? "is not a whole number" : "is not a finite number"
                : "is not a number";
            throw new ArgumentException($"{option} '{text}' {what}; give a whole number, e.g. {option} 8.");
        }

        public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
        {
            if (value is int v) writer.WriteNumberValue(v);
            else writer.WriteNullValue();
        }
    }

    sealed class FiniteNumber(string option) : JsonConverter<float?>
    {
        public override float? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text = OptionText.Read(ref reader);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new ArgumentException($"{option} '{text}' is not a number; give a finite number, e.g. {option} 0.01.");
            if (!double.IsFinite(value) || !float.IsFinite((float)value))
                throw new ArgumentException($"{option} '{text}' is not a finite number{(double.IsFinite(value) ? " (too large for a float)" : "")}; give a finite number, e.g. {option} 0.01.");
            return (float)value;
        }

        public override void Write(Utf8JsonWriter writer, float? value, JsonSerializerOptions options)
        {
            if (value is float v) writer.WriteNumberValue(v);
            else writer.WriteNullValue();
        }
    }
}

/// <summary>
/// Takes a string option's value as the text the user typed, whatever JSON it looks like: .NET Interactive parses a
/// value such as <c>[1,3,224,224]</c> as a JSON array and fails with "DNI106 Invalid JSON" before the magic command
/// can say anything; with this the command sees the text and checks it itself.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
sealed class TextOptionAttribute : JsonConverterAttribute
{
    public override JsonConverter? CreateConverter(Type typeToConvert) => new Text();

    sealed class Text : JsonConverter<string?>
    {
        public override bool HandleNull => true;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : OptionText.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}

static class OptionText
{
    /// <summary>The value as typed: a string's content, or the raw text of any other JSON value.</summary>
    public static string Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString() ?? "";
        using var value = JsonDocument.ParseValue(ref reader);
        return value.RootElement.GetRawText();
    }
}
