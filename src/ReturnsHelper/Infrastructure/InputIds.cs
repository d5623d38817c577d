using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace ReturnsHelper.Commands
{
    /// <summary>
    /// Reads one id from whatever the pipeline carries: numbers, strings (Get-Content lines, CSV cells),
    /// typed objects and CSV rows with any of the usual column names. Untrusted input: every problem is a
    /// clear message, never an exception or a silent skip.
    /// </summary>
    internal static class InputIds
    {
        /// <summary>Column and property names accepted for a return inventory id, in order of preference.</summary>
        public static readonly string[] InventoryIdNames = { "ReturnInventoryId", "InventoryId", "ReturnInventory", "Id", "Return Inventory Id" };

        /// <summary>
        /// Calls <paramref name="act"/> for every usable id in <paramref name="items"/>. An unusable item is a
        /// per-item error (RrInvalidId, the item as TargetObject) and never reaches <paramref name="act"/>; with
        /// <paramref name="seen"/>, an id met before is a warning and is skipped.
        /// </summary>
        public static void ForEach(Cmdlet cmdlet, IEnumerable<object> items, string[] propertyNames, HashSet<long> seen, Action<long> act)
        {
            foreach (var item in items ?? new object[] { null })
            {
                if (!TryRead(item, propertyNames, out var id, out var problem))
                {
                    cmdlet.WriteError(new ErrorRecord(new ArgumentException($"Skipped input: {problem}"), "RrInvalidId", ErrorCategory.InvalidArgument, item));
                    continue;
                }
                if (seen != null && !seen.Add(id))
                {
                    cmdlet.WriteWarning($"{id} appears more than once in the input; it is sent once.");
                    continue;
                }
                act(id);
            }
        }

        public static bool TryRead(object input, string[] propertyNames, out long id, out string problem)
        {
            id = 0;
            var value = input is PSObject ps ? ps.BaseObject : input;
            if (value == null) { problem = "The value is null."; return false; }

            if (value is string text) return TryParseText(text, out id, out problem);
            if (TryConvertNumber(value, out id, out problem)) return CheckPositive(id, value, out problem);
            if (problem != null) return false;

            // A record: a CSV row (PSCustomObject), a hashtable, or a typed object such as Inventory.
            var found = FindProperty(input, value, propertyNames, out var propertyValue, out var propertyName);
            if (!found)
            {
                problem = $"The input has no usable id: expected a number or an object with one of the properties {string.Join(", ", propertyNames)}.";
                return false;
            }
            if (propertyValue is PSObject || propertyValue is string || IsNumber(propertyValue is PSObject p ? p.BaseObject : propertyValue) || propertyValue == null)
            {
                if (TryRead(propertyValue, new string[0], out id, out var inner)) { problem = null; return true; }
                problem = $"Property '{propertyName}': {inner}";
                return false;
            }
            problem = $"Property '{propertyName}' holds a {propertyValue.GetType().Name}, not an id.";
            return false;
        }

        static bool TryParseText(string text, out long id, out string problem)
        {
            id = 0;
            var trimmed = text.Trim();
            if (trimmed.Length == 0) { problem = "The value is empty."; return false; }
            if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id))
                return CheckPositive(id, text, out problem);
            if (trimmed.TrimStart('-', '+').All(c => c >= '0' && c <= '9'))
            {
                problem = $"'{Shorten(trimmed)}' is out of range for an id.";
                return false;
            }
            problem = $"'{Shorten(trimmed)}' is not a whole number.";
            return false;
        }

        static bool TryConvertNumber(object value, out long id, out string problem)
        {
            id = 0;
            problem = null;
            switch (value)
            {
                case long l: id = l; return true;
                case int i: id = i; return true;
                case short s: id = s; return true;
                case byte b: id = b; return true;
                case sbyte sb: id = sb; return true;
                case ushort us: id = us; return true;
                case uint ui: id = ui; return true;
                case ulong ul:
                    if (ul > long.MaxValue) { problem = $"{ul} is out of range for an id."; return false; }
                    id = (long)ul; return true;
                case double d: return FromDecimalLike(d, out id, out problem);
                case float f: return FromDecimalLike(f, out id, out problem);
                case decimal m: return FromDecimalLike((double)m, out id, out problem, m);
                case System.Numerics.BigInteger big:
                    if (big > long.MaxValue || big < long.MinValue) { problem = $"{big} is out of range for an id."; return false; }
                    id = (long)big; return true;
                default: return false;
            }
        }

        static bool FromDecimalLike(double d, out long id, out string problem, decimal? exact = null)
        {
            id = 0;
            if (double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) >= 9.2e18) { problem = $"{d.ToString(CultureInfo.InvariantCulture)} is out of range for an id."; return false; }
            var isWhole = exact.HasValue ? exact.Value == decimal.Truncate(exact.Value) : d == Math.Truncate(d);
            if (!isWhole) { problem = $"{(exact.HasValue ? exact.Value.ToString(CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture))} is not a whole number."; return false; }
            id = exact.HasValue ? (long)exact.Value : (long)d;
            problem = null;
            return true;
        }

        static bool IsNumber(object value) => value is long || value is int || value is short || value is byte || value is sbyte || value is ushort
            || value is uint || value is ulong || value is double || value is float || value is decimal || value is System.Numerics.BigInteger;

        static bool CheckPositive(long id, object original, out string problem)
        {
            problem = id > 0 ? null : $"{id} is not a valid id: ids are greater than 0.";
            return id > 0;
        }

        static bool FindProperty(object input, object baseObject, string[] names, out object value, out string name)
        {
            value = null;
            name = null;
            if (baseObject is IDictionary dictionary)
            {
                foreach (var candidate in names)
                    foreach (DictionaryEntry entry in dictionary)
                        if (string.Equals(entry.Key as string, candidate, StringComparison.OrdinalIgnoreCase))
                        {
                            value = entry.Value;
                            name = candidate;
                            return true;
                        }
                return false;
            }
            var ps = input as PSObject ?? PSObject.AsPSObject(baseObject);
            foreach (var candidate in names)
            {
                var property = ps.Properties[candidate];
                if (property == null) continue;
                try { value = property.Value; }
                catch (GetValueException) { value = null; }
                name = property.Name;
                return true;
            }
            return false;
        }

        static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";
    }
}
