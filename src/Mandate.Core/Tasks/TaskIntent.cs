namespace Mandate.Core.Tasks;

/// <summary>
/// What a task is for, stated when it is opened: a description for people and structure for decisions. A credential
/// issued for the task (or derived from it by exchange) never reaches beyond its intent.
/// </summary>
internal sealed record TaskIntent
{
    /// <summary>What the task does, in words (shown to reviewers; never evaluated).</summary>
    public required string Description { get; init; }

    /// <summary>The actions the task may perform (Cedar action ids such as <c>read</c>); they become the credential's scope.</summary>
    public required IReadOnlyList<string> Actions { get; init; }

    /// <summary>Resource types (<c>Ticket</c>) or patterns (<c>Ticket::"T-*"</c>, <c>*</c>) the task may touch.</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>The most sensitive data the task may see.</summary>
    public required DataSensitivity SensitivityCeiling { get; init; }

    /// <summary>Where data may go: SPIFFE IDs, trust domains (<c>spiffe://td</c>) or host names; empty means nowhere outside.</summary>
    public IReadOnlyList<string> Destinations { get; init; } = [];

    /// <summary>Identities the opener allows to act for it by token exchange (Mandate extension of <c>may_act</c>).</summary>
    public IReadOnlyList<string> Delegates { get; init; } = [];
}
