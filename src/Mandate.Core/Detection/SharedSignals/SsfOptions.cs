namespace Mandate.Core.Detection.SharedSignals;

/// <summary>The Shared Signals transmitter and receiver (<c>Mandate:SharedSignals</c>).</summary>
internal sealed class SsfOptions
{
    public const string SectionName = "Mandate:SharedSignals";

    /// <summary>The transmitter's issuer (<c>iss</c> of its SETs); default: the server's public URL.</summary>
    public string? Issuer { get; set; }

    /// <summary>The longest a poll with <c>returnImmediately: false</c> waits for a SET (1 s – 5 min).</summary>
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Transmitters whose pushed SETs the receiver (<c>POST /ssf/receiver</c>) accepts.</summary>
    public IList<SsfTransmitterOptions> Transmitters { get; } = [];
}

/// <summary>A transmitter (an IdP, another Mandate) whose SETs are accepted: verified against its JWKS, strictly.</summary>
internal sealed class SsfTransmitterOptions
{
    /// <summary>Its exact <c>iss</c>.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Where its JWKS is fetched (http(s)).</summary>
    public string? JwksUri { get; set; }

    /// <summary>The <c>aud</c> its SETs must carry (what this receiver is called in its stream).</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Pinned algorithms (default ES256 and RS256); a SET signed with any other is refused.</summary>
    public IList<string> Algorithms { get; } = [];

    /// <summary>Oldest acceptable <c>iat</c>.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far in the future an <c>iat</c> may be (clock skew).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count > 0 ? [.. Algorithms] : ["ES256", "RS256"];
}
