namespace Mandate.Cedar.Evaluation;

/// <summary>One Cedar extension function or method. <see cref="Invoke"/> returns null on error (message in the context).</summary>
internal sealed class ExtensionFunction(string name, bool isMethod, int minArguments, int maxArguments, Func<IReadOnlyList<CedarValue>, EvaluationContext, CedarValue?> body)
{
    public string Name { get; } = name;

    /// <summary>Called as <c>receiver.name(args)</c> rather than <c>name(args)</c>; the receiver is the first argument.</summary>
    public bool IsMethod { get; } = isMethod;

    public CedarValue? Invoke(IReadOnlyList<CedarValue> arguments, EvaluationContext context)
    {
        if (arguments.Count < minArguments || arguments.Count > maxArguments)
        {
            var expected = minArguments == maxArguments ? minArguments.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"at least {minArguments}";
            return context.Fail($"wrong number of arguments in extension function application: `{Name}` expects {expected}, got {arguments.Count}");
        }

        return body(arguments, context);
    }
}
