using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>
/// One byte form for one JSON value, whoever wrote it: the register's serializer before an insert and PostgreSQL's jsonb
/// when read back differ in key order, spacing, escaping and number form. Keys in ordinal order, no spaces, strings
/// escaped only where JSON requires, numbers in their shortest decimal form (after RFC 8785, JSON canonicalization).
/// </summary>
public static class CanonicalJson
{
    public static void Write(IBufferWriter<byte> output, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                output.Write("{"u8);
                var first = true;
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) output.Write(","u8);
                    first = false;
                    WriteString(output, property.Name);
                    output.Write(":"u8);
                    Write(output, property.Value);
                }

                output.Write("}"u8);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var next = false;
                foreach (var item in value.EnumerateArray())
                {
                    if (next) output.Write(","u8);
                    next = true;
                    Write(output, item);
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteString(output, value.GetString()!);
                break;
            case JsonValueKind.Number:
                WriteAscii(output, Number(value));
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            default:
                output.Write("null"u8);
                break;
        }
    }

    public static void WriteString(IBufferWriter<byte> output, string? text)
    {
        if (text is null)
        {
            output.Write("null"u8);
            return;
        }

        output.Write("\""u8);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is not ('"' or '\\') && c >= ' ') continue;
            WriteUtf8(output, text.AsSpan(start, i - start));
            output.Write(c switch
            {
                '"' => "\\\""u8,
                '\\' => "\\\\"u8,
                '\n' => "\\n"u8,
                '\r' => "\\r"u8,
                '\t' => "\\t"u8,
                '\b' => "\\b"u8,
                '\f' => "\\f"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{(int)c:x4}"),
            });
            start = i + 1;
        }

        WriteUtf8(output, text.AsSpan(start));
        output.Write("\""u8);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Numbers as a decimal without trailing zeros ("0.250" and "2.5e-1" are "0.25"), or as written when too large.</summary>
    private static string Number(JsonElement value)
    {
        if (value.TryGetDecimal(out var d))
        {
            var text = d.ToString("0.#############################", CultureInfo.InvariantCulture);
            return text == "-0" ? "0" : text;
        }

        return value.GetRawText();
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text) => output.Write(Encoding.ASCII.GetBytes(text));
}
