using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Mandate.Server.Hosting;

/// <summary>
/// The file of <c>mandate serve --config FILE</c>: JSON in the shape of the application's configuration
/// (<c>{"Mandate": {…}, "Kestrel": {…}, "Logging": {…}}</c>), flattened into configuration keys as the JSON
/// configuration provider would. Reading it checks every key under <c>Mandate</c> against the settings the server
/// knows (<see cref="ConfigurationSchema"/>) and every value against its type, so a misspelt key or a bad value stops
/// the start with the file, line and column instead of being ignored. Ranges are checked later by the options
/// validators, which name the key.
/// </summary>
internal sealed class ConfigurationFile
{
    private static readonly string[] TopLevelSections = ["Mandate", "Kestrel", "Logging"];

    private ConfigurationFile(string path, IReadOnlyDictionary<string, string?> values)
    {
        Path = path;
        Values = values;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Configuration keys (<c>Mandate:Cluster:FreshnessBound</c>, arrays as <c>…:0</c>) and their values.</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <exception cref="ConfigurationFileException">The file cannot be read, is not JSON, or holds an unknown key or a bad value.</exception>
    public static ConfigurationFile Read(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationFileException($"{fullPath}: cannot read the configuration file: {ex.Message}", ex);
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var positions = new Dictionary<string, (long Line, long Column)>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(fullPath, bytes, reader.TokenStartIndex, "the configuration file must hold one JSON object, e.g. {\"Mandate\": {…}}.");
            }

            ReadObject(ref reader, bytes, fullPath, prefix: null, values, positions);
            if (reader.Read())
            {
                throw Error(fullPath, bytes, reader.TokenStartIndex, "unexpected content after the configuration object.");
            }
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $":{line + 1}:{(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new ConfigurationFileException($"{fullPath}{where}: not valid JSON: {FirstSentence(ex.Message)}", ex);
        }

        foreach (var (key, value) in values)
        {
            if (Check(key, value) is { } problem)
            {
                var (line, column) = positions[key];
                throw new ConfigurationFileException($"{fullPath}:{line}:{column}: {problem}");
            }
        }

        return new ConfigurationFile(fullPath, values);
    }

    private static void ReadObject(
        ref Utf8JsonReader reader, byte[] bytes, string path, string? prefix,
        Dictionary<string, string?> values, Dictionary<string, (long, long)> positions)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var nameStart = reader.TokenStartIndex;
            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                throw Error(path, bytes, nameStart, $"\"{name}\" appears twice.");
            }

            var key = prefix is null ? name : prefix + ":" + name;
            if (prefix is null && !TopLevelSections.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw Error(path, bytes, nameStart, $"unknown section \"{name}\": the file holds {string.Join(", ", TopLevelSections.Select(s => "\"" + s + "\""))}.");
            }

            reader.Read();
            ReadValue(ref reader, bytes, path, key, Position(bytes, nameStart), values, positions);
        }
    }

    private static void ReadValue(
        ref Utf8JsonReader reader, byte[] bytes, string path, string key, (long, long) position,
        Dictionary<string, string?> values, Dictionary<string, (long, long)> positions)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                ReadObject(ref reader, bytes, path, key, values, positions);
                break;
            case JsonTokenType.StartArray:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ReadValue(ref reader, bytes, path, key + ":" + index.ToString(CultureInfo.InvariantCulture), Position(bytes, reader.TokenStartIndex), values, positions);
                    index++;
                }

                break;
            case JsonTokenType.String:
                (values[key], positions[key]) = (reader.GetString(), position);
                break;
            case JsonTokenType.Null:
                (values[key], positions[key]) = (null, position);
                break;
            default:
                // Numbers and booleans as written, as the JSON configuration provider keeps them.
                (values[key], positions[key]) = (Encoding.UTF8.GetString(reader.ValueSpan), position);
                break;
        }
    }

    /// <summary>Null when <paramref name="key"/> is a setting the server knows and <paramref name="value"/> fits its type; else what is wrong.</summary>
    internal static string? Check(string key, string? value)
    {
        if (!key.StartsWith("Mandate:", StringComparison.OrdinalIgnoreCase))
        {
            return null; // Kestrel and Logging are checked by their own code.
        }

        var (section, type) = ConfigurationSchema.SectionOf(key);
        var rest = key.Length > section.Length ? key[(section.Length + 1)..].Split(':') : [];
        var current = type;
        var walked = section;
        foreach (var segment in rest)
        {
            current = Nullable.GetUnderlyingType(current) ?? current;
            if (DictionaryValueType(current) is { } valueType)
            {
                current = valueType;
            }
            else if (ElementType(current) is { } elementType)
            {
                if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return $"{walked} is a list: \"{segment}\" is not an index.";
                }

                current = elementType;
            }
            else if (current.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property && !IsScalar(current))
            {
                current = property.PropertyType;
            }
            else
            {
                var known = IsScalar(current) ? [] : current.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || ElementType(p.PropertyType) is not null).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
                var extra = ConfigurationSchema.SubsectionsOf(walked);
                var names = known.Concat(extra).ToArray();
                return names.Length == 0
                    ? $"unknown setting {walked}:{segment} ({walked} is a single value)."
                    : $"unknown setting {walked}:{segment}; {walked} has {string.Join(", ", names)}.";
            }

            walked += ":" + segment;
        }

        current = Nullable.GetUnderlyingType(current) ?? current;
        if (value is null)
        {
            return null;
        }

        if (!IsScalar(current))
        {
            return $"{key} is a section, not a single value.";
        }

        if (current == typeof(string))
        {
            return null;
        }

        var converter = TypeDescriptor.GetConverter(current);
        try
        {
            if (converter.ConvertFromInvariantString(value) is not null)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException or UriFormatException)
        {
            // Reported below.
        }

        var expected = current.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(current)) : current == typeof(TimeSpan) ? "a duration like 00:00:05" : "a " + current.Name;
        return $"{key}: \"{value}\" is not {expected}.";
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0] : null;
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var keyType, var valueType] && keyType == typeof(string) && typeof(IEnumerable).IsAssignableFrom(type)
            ? valueType
            : null;

    private static ConfigurationFileException Error(string path, byte[] bytes, long offset, string message)
    {
        var (line, column) = Position(bytes, offset);
        return new ConfigurationFileException($"{path}:{line}:{column}: {message}");
    }

    private static (long Line, long Column) Position(byte[] bytes, long offset)
    {
        long line = 1, column = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else if ((bytes[i] & 0xC0) != 0x80)
            {
                column++; // counts characters, not UTF-8 continuation bytes
            }
        }

        return (line, column);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        end = end > 0 ? end : message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
