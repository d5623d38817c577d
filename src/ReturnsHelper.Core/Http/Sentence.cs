namespace ReturnsHelper.Http;

/// <summary>
/// Builds user-facing messages from parts that may or may not end with a period (ours, the service's, .NET's),
/// so a message never ends with "..", never lacks its final period, and carries no .NET parameter-name suffix.
/// </summary>
internal static class Sentence
{
    /// <summary><paramref name="lead"/> and <paramref name="rest"/> joined by a space, ending with exactly one full stop.</summary>
    public static string Join(string lead, string rest) => End(string.IsNullOrWhiteSpace(rest) ? lead : lead.TrimEnd() + " " + rest.Trim());

    /// <summary>The text with one final full stop (kept as is when it already ends with . ! or ?).</summary>
    public static string End(string text)
    {
        text = (text ?? "").Trim();
        while (text.EndsWith("..") && !text.EndsWith("...")) text = text.Substring(0, text.Length - 1);
        if (text.Length == 0 || text.EndsWith(".") || text.EndsWith("!") || text.EndsWith("?")) return text;
        return text + ".";
    }

    /// <summary>
    /// An exception's message without what .NET appends for developers: " (Parameter 'x')" and "Object name: 'x'.".
    /// </summary>
    public static string Of(System.Exception e)
    {
        var text = e.Message ?? "";
        if (e is System.ArgumentException a && a.ParamName != null)
        {
            var suffix = " (Parameter '" + a.ParamName + "')";
            var at = text.IndexOf(suffix, System.StringComparison.Ordinal);
            if (at >= 0) text = text.Remove(at, suffix.Length);
            var oldSuffix = System.Environment.NewLine + "Parameter name: " + a.ParamName; // .NET Framework's form
            at = text.IndexOf(oldSuffix, System.StringComparison.Ordinal);
            if (at >= 0) text = text.Remove(at, oldSuffix.Length);
        }
        if (e is System.ObjectDisposedException d && d.ObjectName != null)
        {
            foreach (var form in new[] { System.Environment.NewLine + "Object name: '" + d.ObjectName + "'.", "\nObject name: '" + d.ObjectName + "'." })
            {
                var at = text.IndexOf(form, System.StringComparison.Ordinal);
                if (at >= 0) text = text.Remove(at, form.Length);
            }
        }
        return End(text);
    }
}
