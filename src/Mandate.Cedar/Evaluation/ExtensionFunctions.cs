using System.Diagnostics.CodeAnalysis;
using Mandate.Cedar.Values;

namespace Mandate.Cedar.Evaluation;

/// <summary>The extension functions of Cedar 4.x: <c>ipaddr</c>, <c>decimal</c>, <c>datetime</c> and <c>duration</c>.</summary>
internal static class ExtensionFunctions
{
    private static readonly Dictionary<string, ExtensionFunction> All = Build();

    public static bool TryGet(string name, [NotNullWhen(true)] out ExtensionFunction? function) => All.TryGetValue(name, out function);

    public static IEnumerable<string> MethodNames => All.Values.Where(f => f.IsMethod).Select(f => f.Name);

    public static IEnumerable<string> FunctionNames => All.Values.Where(f => !f.IsMethod).Select(f => f.Name);

    private static Dictionary<string, ExtensionFunction> Build()
    {
        var functions = new List<ExtensionFunction>
        {
            Constructor("ip", text => IpValue.TryParse(text, out var v, out var e) ? (v, e) : (null, e)),
            Constructor("decimal", text => DecimalValue.TryParse(text, out var v, out var e) ? (v, e) : (null, e)),
            Constructor("datetime", text => DatetimeValue.TryParse(text, out var v, out var e) ? (v, e) : (null, e)),
            Constructor("duration", text => DurationValue.TryParse(text, out var v, out var e) ? (v, e) : (null, e)),
            Unary<IpValue>("isIpv4", "ipaddr", ip => BoolValue.Of(ip.IsV4)),
            Unary<IpValue>("isIpv6", "ipaddr", ip => BoolValue.Of(!ip.IsV4)),
            Unary<IpValue>("isLoopback", "ipaddr", ip => BoolValue.Of(ip.IsLoopback)),
            Unary<IpValue>("isMulticast", "ipaddr", ip => BoolValue.Of(ip.IsMulticast)),
            new("isInRange", true, 2, 2, IsInRange),
            Binary<DecimalValue, DecimalValue>("lessThan", "decimal", "decimal", (a, b) => BoolValue.Of(a.Scaled < b.Scaled)),
            Binary<DecimalValue, DecimalValue>("lessThanOrEqual", "decimal", "decimal", (a, b) => BoolValue.Of(a.Scaled <= b.Scaled)),
            Binary<DecimalValue, DecimalValue>("greaterThan", "decimal", "decimal", (a, b) => BoolValue.Of(a.Scaled > b.Scaled)),
            Binary<DecimalValue, DecimalValue>("greaterThanOrEqual", "decimal", "decimal", (a, b) => BoolValue.Of(a.Scaled >= b.Scaled)),
            Binary<DatetimeValue, DurationValue>("offset", "datetime", "duration", (a, b) => a.Offset(b)),
            Binary<DatetimeValue, DatetimeValue>("durationSince", "datetime", "datetime", (a, b) => a.DurationSince(b)),
            Unary<DatetimeValue>("toDate", "datetime", d => d.ToDate()),
            Unary<DatetimeValue>("toTime", "datetime", d => d.ToTime()),
            Unary<DurationValue>("toMilliseconds", "duration", d => LongValue.Of(d.Milliseconds)),
            Unary<DurationValue>("toSeconds", "duration", d => LongValue.Of(d.Milliseconds / 1000)),
            Unary<DurationValue>("toMinutes", "duration", d => LongValue.Of(d.Milliseconds / 60_000)),
            Unary<DurationValue>("toHours", "duration", d => LongValue.Of(d.Milliseconds / 3_600_000)),
            Unary<DurationValue>("toDays", "duration", d => LongValue.Of(d.Milliseconds / 86_400_000)),
        };
        return functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    private static ExtensionFunction Constructor(string name, Func<string, (CedarValue? Value, string Error)> parse) =>
        new(name, false, 1, 1, (args, context) =>
        {
            if (args[0] is not StringValue text)
            {
                return context.TypeError("string", args[0]);
            }

            var (value, error) = parse(text.Value);
            return value ?? context.Fail($"error while evaluating `{name}` extension function: {error}");
        });

    private static ExtensionFunction Unary<T>(string name, string typeName, Func<T, CedarValue?> body)
        where T : CedarValue =>
        new(name, true, 1, 1, (args, context) =>
        {
            if (args[0] is not T receiver)
            {
                return ExpectedExtension(context, typeName, args[0]);
            }

            return body(receiver) ?? context.Fail($"error while evaluating `{name}` extension function: overflow");
        });

    private static ExtensionFunction Binary<TA, TB>(string name, string typeA, string typeB, Func<TA, TB, CedarValue?> body)
        where TA : CedarValue
        where TB : CedarValue =>
        new(name, true, 2, 2, (args, context) =>
        {
            if (args[0] is not TA a)
            {
                return ExpectedExtension(context, typeA, args[0]);
            }

            if (args[1] is not TB b)
            {
                return ExpectedExtension(context, typeB, args[1]);
            }

            return body(a, b) ?? context.Fail($"error while evaluating `{name}` extension function: overflow");
        });

    private static CedarValue? IsInRange(IReadOnlyList<CedarValue> args, EvaluationContext context)
    {
        if (args[0] is not IpValue child)
        {
            return ExpectedExtension(context, "ipaddr", args[0]);
        }

        var result = false;
        for (var i = 1; i < args.Count; i++)
        {
            if (args[i] is not IpValue range)
            {
                return ExpectedExtension(context, "ipaddr", args[i]);
            }

            result |= child.IsInRange(range);
        }

        return BoolValue.Of(result);
    }

    private static CedarValue? ExpectedExtension(EvaluationContext context, string typeName, CedarValue actual) =>
        actual is StringValue
            ? context.Fail($"type error: expected {typeName}, got {TypeNames.Describe(actual)}; maybe you forgot to apply the `{(typeName == "ipaddr" ? "ip" : typeName)}` constructor?")
            : context.TypeError(typeName, actual);
}
