namespace NationalRegister.Infrastructure.Http;

/// <summary>What text the register takes in from outside (bodies, query strings, headers, token claims).</summary>
public static class Characters
{
    /// <summary>
    /// NUL and the other control characters (PostgreSQL's jsonb refuses NUL outright) and lone surrogates, which are no
    /// character at all. Free text keeps tab and line breaks: it has paragraphs.
    /// </summary>
    public static bool HasControl(string text) => Refused(text, oneLine: false);

    /// <summary>
    /// One line, as names, references, codes and parameters are: no control character, tab or line break, no Unicode line
    /// or paragraph separator, no bidirectional override or isolate (they make a name read other than it is stored, the
    /// "Trojan Source" trick), and no byte-order mark.
    /// </summary>
    public static bool IsOneLine(string text) => !Refused(text, oneLine: true);

    private static bool Refused(string text, bool oneLine)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return true;
            else if (char.IsControl(c) && (oneLine || c is not ('\t' or '\n' or '\r'))) return true;
            else if (oneLine && IsLayoutFormat(c)) return true;
        }

        return false;
    }

    /// <summary>U+2028/U+2029 (line and paragraph separators), bidi marks, embeddings, overrides and isolates, and U+FEFF.</summary>
    private static bool IsLayoutFormat(char c) =>
        c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' or '\uFEFF' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
