namespace Mandate.Core.Secrets;

/// <summary>One secret a scan found, by fingerprint: every copy of the same value is one report with many locations.</summary>
internal sealed class SecretReport
{
    public required string Fingerprint { get; init; }

    /// <summary>The <see cref="SecretKinds"/> name of the first (in file order) detection.</summary>
    public required string Kind { get; init; }

    public required string Confidence { get; init; }

    /// <summary>A public identifier that goes with the secret (an AWS access key id), when known.</summary>
    public string? CredentialId { get; set; }

    public List<SecretLocation> Locations { get; } = [];

    /// <summary>The earliest commit date among the locations (a history scan): how long the secret has been exposed.</summary>
    public DateTimeOffset? FirstCommitted => Locations.Where(l => l.Date is not null).Select(l => l.Date).Min();
}
