using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jose;
using Mandate.Core.Identity.Inventory;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// A Mandate server that transmits and receives Shared Signals, with a stand-in identity provider on loopback: its
/// JWKS (an ES256 key the tests sign SETs with, through jose-jwt), and a push receiver for the streams under test.
/// </summary>
public sealed class SharedSignalsFixture : IAsyncLifetime
{
    public const string IdpIssuer = "https://idp.example.test";
    public const string ReceiverAudience = "https://mandate.example.test/ssf/receiver";
    public const string IdpKid = "idp-key-1";

    internal TaskEstate Estate { get; private set; } = null!;

    internal LoopbackReceiver Idp { get; private set; } = null!;

    public ECDsa IdpKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public async ValueTask InitializeAsync()
    {
        Idp = await LoopbackReceiver.StartAsync();
        var p = IdpKey.ExportParameters(false);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "EC", crv = "P-256", kid = IdpKid, alg = "ES256", use = "sig", x = Base64Url.Encode(p.Q.X!), y = Base64Url.Encode(p.Q.Y!) } },
        });
        Idp.Answer = r => r.Path == "/jwks" ? (200, jwks) : (404, null);
        Estate = await TaskEstate.StartAsync(configureBuilder: builder =>
        {
            builder.Configuration["Mandate:Signals:MaxAttempts"] = "3";
            builder.Configuration["Mandate:Signals:InitialBackoff"] = "00:00:00.050";
            builder.Configuration["Mandate:Signals:MaxBackoff"] = "00:00:01";
            builder.Configuration["Mandate:SharedSignals:LongPollTimeout"] = "00:00:05";
            builder.Configuration["Mandate:SharedSignals:Transmitters:0:Issuer"] = IdpIssuer;
            builder.Configuration["Mandate:SharedSignals:Transmitters:0:JwksUri"] = new Uri(Idp.Address, "jwks").ToString();
            builder.Configuration["Mandate:SharedSignals:Transmitters:0:Audience"] = ReceiverAudience;
            builder.Configuration["Mandate:SharedSignals:Transmitters:0:Algorithms:0"] = "ES256";
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Estate.DisposeAsync();
        await Idp.DisposeAsync();
        IdpKey.Dispose();
    }
}

/// <summary>
/// The OpenID Shared Signals Framework over real HTTP, both directions checked with jose-jwt (not Mandate's own JOSE
/// code): the transmitter's metadata and stream management, SETs pushed per RFC 8935 and polled per RFC 8936 that
/// verify against the published JWKS, and a receiver that accepts only strictly valid SETs from its configured
/// transmitter and offboards a departed person's identities.
/// </summary>
public sealed class SharedSignalsTests(SharedSignalsFixture fixture) : IClassFixture<SharedSignalsFixture>
{
    private const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string RiskLevelChange = "https://schemas.openid.net/secevent/caep/event-type/risk-level-change";
    private const string CredentialCompromise = "https://schemas.openid.net/secevent/risc/event-type/credential-compromise";
    private const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    private const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TaskEstate Estate => fixture.Estate;

    [Fact]
    public async Task Configuration_ShouldAdvertiseTheSpecEndpoints_AndAnSsfKeyOfItsOwn()
    {
        using var anonymous = new HttpClient { BaseAddress = Estate.Server.Address };
        var config = await JsonAsync(await anonymous.GetAsync("/.well-known/ssf-configuration", Ct));
        Assert.Equal("1_0", config.GetProperty("spec_version").GetString());
        Assert.Equal(Estate.Server.Address.ToString().TrimEnd('/'), config.GetProperty("issuer").GetString());
        var methods = config.GetProperty("delivery_methods_supported").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("urn:ietf:rfc:8935", methods);
        Assert.Contains("urn:ietf:rfc:8936", methods);
        foreach (var endpoint in new[] { "jwks_uri", "configuration_endpoint", "status_endpoint", "add_subject_endpoint", "remove_subject_endpoint", "verification_endpoint" })
        {
            Assert.StartsWith(Estate.Server.Address.ToString().TrimEnd('/') + "/", config.GetProperty(endpoint).GetString(), StringComparison.Ordinal);
        }

        var jwks = await JwksAsync();
        var key = Assert.Single(jwks.Keys);
        Assert.Equal("EC", key.Kty);

        // Its own key: not one of the identity key ring's.
        var identityJwks = await (await anonymous.GetAsync("/.well-known/jwks.json", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(key.KeyId, identityJwks, StringComparison.Ordinal);

        // Stream management needs an operator.
        using var create = await anonymous.PostAsJsonAsync("/ssf/streams", new { delivery = new { method = "urn:ietf:rfc:8936" } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
    }

    [Fact]
    public async Task PushStream_ShouldDeliverSetsThatAnIndependentJoseLibraryVerifies_AndHonourStatusSubjectsAndVerification()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var stream = await CreateStreamAsync(new
        {
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = new Uri(receiver.Address, "events").ToString(), authorization_header = "Bearer receiver-side-secret" },
            events_requested = new[] { CredentialChange, SessionRevoked, RiskLevelChange, CredentialCompromise, "https://example.test/unsupported" },
            description = "push test",
            aud = "https://receiver.example.test",
        });
        var id = stream.GetProperty("stream_id").GetString()!;
        Assert.Equal(4, stream.GetProperty("events_delivered").GetArrayLength());
        Assert.False(stream.GetProperty("delivery").TryGetProperty("authorization_header", out _));

        // Verification first: the receiver gets a verification SET carrying its state.
        Assert.Equal(HttpStatusCode.NoContent, (await Estate.Admin.PostAsJsonAsync("/ssf/verify", new { stream_id = id, state = "state-123" }, Ct)).StatusCode);
        var verification = await NextSetAsync(receiver, s => s.Events.ContainsKey(Verification));
        Assert.Equal("state-123", verification.Events[Verification].GetProperty("state").GetString());

        // An attack: a revoked credential presented again. Issued, revoked, compromised, risk raised: each a SET.
        var agent = await Estate.NewIdentityAsync("ssf-push");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);
        Assert.False((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        var created = await NextSetAsync(receiver, s => s.About(agent) && s.Events.TryGetValue(CredentialChange, out var e) && e.GetProperty("change_type").GetString() == "create");
        var revoked = await NextSetAsync(receiver, s => s.About(agent) && s.Events.TryGetValue(CredentialChange, out var e) && e.GetProperty("change_type").GetString() == "revoke");
        var compromise = await NextSetAsync(receiver, s => s.About(agent) && s.Events.ContainsKey(CredentialCompromise));
        var risk = await NextSetAsync(receiver, s => s.About(agent) && s.Events.ContainsKey(RiskLevelChange));
        Assert.Equal("MEDIUM", risk.Events[RiskLevelChange].GetProperty("current_level").GetString());
        Assert.Contains(jti, revoked.Events[CredentialChange].GetProperty("friendly_name").GetString(), StringComparison.Ordinal);
        foreach (var set in new[] { verification, created, revoked, compromise, risk })
        {
            Assert.Equal("Bearer receiver-side-secret", set.Request.Headers["authorization"]);
            Assert.StartsWith("application/secevent+jwt", set.Request.Headers["content-type"], StringComparison.Ordinal);
            Assert.Equal("https://receiver.example.test", set.Payload.GetProperty("aud").GetString());
        }

        // Paused: SETs are held, then delivered on resume.
        await SetStatusAsync(id, "paused");
        var second = await Estate.TaskForAsync(agent);
        await Task.Delay(300, Ct);
        Assert.DoesNotContain(receiver.All, r => Decode(r.Body).About(agent) && r.Body.Contains(CredentialChange, StringComparison.Ordinal) && Decode(r.Body).Events[CredentialChange].GetProperty("friendly_name").GetString()!.Contains(second.Jti, StringComparison.Ordinal));
        await SetStatusAsync(id, "enabled");
        await NextSetAsync(receiver, s => s.About(agent) && s.Events.TryGetValue(CredentialChange, out var e) && e.GetProperty("friendly_name").GetString()!.Contains(second.Jti, StringComparison.Ordinal));

        // A removed subject gets no more SETs; ending its task (a session-revoked) is not sent.
        using (var remove = await Estate.Admin.PostAsJsonAsync("/ssf/subjects:remove", new { stream_id = id, subject = new { format = "uri", uri = agent } }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }

        using (var svid = Estate.As(agent))
        using (var complete = await svid.PostAsync($"/v1/tasks/{second.TaskId}/complete", null, Ct))
        {
            Assert.True(complete.IsSuccessStatusCode);
        }

        await Task.Delay(500, Ct);
        Assert.DoesNotContain(receiver.All, r => Decode(r.Body).About(agent) && r.Body.Length > 0 && Decode(r.Body).Events.ContainsKey(SessionRevoked));
        using (var add = await Estate.Admin.PostAsJsonAsync("/ssf/subjects:add", new { stream_id = id, subject = new { format = "uri", uri = agent } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        }

        await DeleteStreamAsync(id);
    }

    [Fact]
    public async Task PollStream_ShouldHandOutSetsUntilAcknowledged_PerRfc8936()
    {
        var stream = await CreateStreamAsync(new { delivery = new { method = "urn:ietf:rfc:8936" }, events_requested = new[] { CredentialChange, SessionRevoked } });
        var id = stream.GetProperty("stream_id").GetString()!;
        var pollUrl = stream.GetProperty("delivery").GetProperty("endpoint_url").GetString()!;
        Assert.Equal(Estate.Server.Address.ToString().TrimEnd('/') + "/ssf/poll/" + id, pollUrl);
        Assert.StartsWith("urn:mandate:ssf:stream:", stream.GetProperty("aud").GetString(), StringComparison.Ordinal);

        var agent = await Estate.NewIdentityAsync("ssf-poll");
        var (taskId, _, _) = await Estate.TaskForAsync(agent);
        using (var svid = Estate.As(agent))
        using (var complete = await svid.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.True(complete.IsSuccessStatusCode);
        }

        // Poll until both of this agent's SETs are in (the fan-out runs behind the ledger), without acknowledging.
        var mine = new Dictionary<string, DecodedSet>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (mine.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "The poll stream did not hand out the agent's SETs.");
            var answer = await PollAsync(id, new { maxEvents = 100, returnImmediately = true });
            foreach (var set in answer.GetProperty("sets").EnumerateObject())
            {
                var decoded = Decode(set.Value.GetString()!);
                Assert.Equal(set.Name, decoded.Payload.GetProperty("jti").GetString());
                if (decoded.About(agent))
                {
                    mine[set.Name] = decoded;
                }
            }

            await Task.Delay(50, Ct);
        }

        var session = Assert.Single(mine.Values, s => s.Events.ContainsKey(SessionRevoked));
        Assert.Equal(taskId, session.Payload.GetProperty("sub_id").GetProperty("session").GetProperty("id").GetString());
        Assert.Equal("complex", session.Payload.GetProperty("sub_id").GetProperty("format").GetString());

        // maxEvents 1 shows moreAvailable; acknowledging everything empties the stream.
        var one = await PollAsync(id, new { maxEvents = 1, returnImmediately = true });
        Assert.Single(one.GetProperty("sets").EnumerateObject());
        Assert.True(one.GetProperty("moreAvailable").GetBoolean());
        var all = (await PollAsync(id, new { maxEvents = 1000, returnImmediately = true })).GetProperty("sets").EnumerateObject().Select(p => p.Name).ToList();
        var first = all[0];
        var rest = all.Skip(1).ToList();
        var after = await PollAsync(id, new { maxEvents = 1000, returnImmediately = true, ack = rest, setErrs = new Dictionary<string, object> { [first] = new { err = "invalid_key", description = "test" } } });
        Assert.Empty(after.GetProperty("sets").EnumerateObject());
        Assert.False(after.GetProperty("moreAvailable").GetBoolean());

        // A long poll (the default: returnImmediately false) waits for the next SET.
        var waiting = PollAsync(id, new { maxEvents = 10 });
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted);
        await Estate.TaskForAsync(agent);
        var arrived = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.NotEmpty(arrived.GetProperty("sets").EnumerateObject());

        using (var unknown = await Estate.Admin.PostAsJsonAsync("/ssf/poll/nothing", new { maxEvents = 1 }, Ct))
        {
            await ProblemAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "ssf-stream-not-found");
        }

        await DeleteStreamAsync(id);
        using var gone = await Estate.Admin.GetAsync("/ssf/streams?stream_id=" + id, Ct);
        await ProblemAssert.ProblemAsync(gone, HttpStatusCode.NotFound, "ssf-stream-not-found");
    }

    [Fact]
    public async Task StreamManagement_ShouldReadUpdateAndRefuseInvalidConfigurations()
    {
        var stream = await CreateStreamAsync(new { delivery = new { method = "urn:ietf:rfc:8936" }, events_requested = new[] { CredentialChange }, description = "before" });
        var id = stream.GetProperty("stream_id").GetString()!;
        var read = await JsonAsync(await Estate.Admin.GetAsync("/ssf/streams?stream_id=" + id, Ct));
        Assert.Equal("before", read.GetProperty("description").GetString());
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, "/ssf/streams") { Content = JsonContent.Create(new { stream_id = id, description = "after", events_requested = new[] { SessionRevoked } }) })
        {
            var patched = await JsonAsync(await Estate.Admin.SendAsync(patch, Ct));
            Assert.Equal("after", patched.GetProperty("description").GetString());
            Assert.Equal(SessionRevoked, patched.GetProperty("events_delivered")[0].GetString());
            Assert.Equal("urn:ietf:rfc:8936", patched.GetProperty("delivery").GetProperty("method").GetString());
        }

        var status = await JsonAsync(await Estate.Admin.GetAsync("/ssf/status?stream_id=" + id, Ct));
        Assert.Equal("enabled", status.GetProperty("status").GetString());
        var listed = await JsonAsync(await Estate.Admin.GetAsync("/ssf/streams", Ct));
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("stream_id").GetString() == id);

        foreach (var invalid in new object[]
        {
            new { delivery = new { method = "urn:example:carrier-pigeon" } },
            new { delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = "ftp://127.0.0.1/x" } },
            new { delivery = new { method = "urn:ietf:rfc:8935" } },
            new { delivery = new { method = "urn:ietf:rfc:8936", endpoint_url = "http://127.0.0.1/x" } },
        })
        {
            using var refused = await Estate.Admin.PostAsJsonAsync("/ssf/streams", invalid, Ct);
            await ProblemAssert.ProblemAsync(refused, HttpStatusCode.BadRequest, "invalid-ssf-stream");
        }

        using (var badStatus = await Estate.Admin.PostAsJsonAsync("/ssf/status", new { stream_id = id, status = "asleep" }, Ct))
        {
            await ProblemAssert.ProblemAsync(badStatus, HttpStatusCode.BadRequest, "invalid-ssf-stream");
        }

        using (var badSubject = await Estate.Admin.PostAsJsonAsync("/ssf/subjects:add", new { stream_id = id, subject = new { email = "no-format@example.test" } }, Ct))
        {
            await ProblemAssert.ProblemAsync(badSubject, HttpStatusCode.BadRequest, "invalid-ssf-stream");
        }

        await DeleteStreamAsync(id);
    }

    [Fact]
    public async Task Receiver_ShouldOffboardADepartedOwnersIdentities_OnAVerifiedAccountDisabledSet()
    {
        var owner = $"alice-{Guid.NewGuid():N}@example.test";
        var first = DetectionEstate.Domain + "agent/alice-one-" + Guid.NewGuid().ToString("N")[..8];
        var second = DetectionEstate.Domain + "agent/alice-two-" + Guid.NewGuid().ToString("N")[..8];
        await Estate.RegisterAsync(first, owner: owner);
        await Estate.RegisterAsync(second, owner: owner);
        var (_, token, _) = await Estate.TaskForAsync(first);
        Assert.True((await Estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());

        var jti = Guid.NewGuid().ToString("N");
        var set = Sign(Claims(jti, new { format = "email", email = owner }, AccountDisabled, new { reason = "hijacking" }));
        using (var accepted = await PushAsync(set))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var inventory = Estate.Server.Services.GetRequiredService<IdentityInventory>();
        Assert.Equal(IdentityStatus.Offboarded, (await inventory.GetAsync(first, Ct))!.Status);
        Assert.Equal(IdentityStatus.Offboarded, (await inventory.GetAsync(second, Ct))!.Status);
        Assert.False((await Estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        var received = Assert.Single(await Estate.AuditAsync("ssf.set_received"), e => e.GetProperty("details").GetProperty("jti").GetString() == jti);
        Assert.Equal(SharedSignalsFixture.IdpIssuer, received.GetProperty("details").GetProperty("issuer").GetString());
        // The person's offboarding is the governance one: departed, with a signed evidence pack naming both identities.
        Assert.Contains($"owner {owner}: offboarded (obd_", received.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var offboardings = await Estate.Admin.GetFromJsonAsync<JsonElement>("/v1/offboardings", Ct);
        var record = Assert.Single(offboardings.GetProperty("offboardings").EnumerateArray(), o => o.GetProperty("owner").GetString() == owner);
        var pack = await Estate.Admin.GetFromJsonAsync<JsonElement>("/v1/offboardings/" + record.GetProperty("id").GetString(), Ct);
        Assert.Equal([first, second], pack.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("ssf:" + SharedSignalsFixture.IdpIssuer, pack.GetProperty("operator").GetString());

        // The same SET again is a replay.
        using var replay = await PushAsync(set);
        await AssertSetErrorAsync(replay, "invalid_request");
    }

    [Fact]
    public async Task Receiver_ShouldOffboard_OnASessionRevokedSetNamingThePersonByIssuerAndSubject()
    {
        var sub = "employee-" + Guid.NewGuid().ToString("N")[..8];
        var identity = DetectionEstate.Domain + "agent/owned-by-" + sub;
        await Estate.RegisterAsync(identity, owner: sub);
        var subject = new { format = "complex", user = new { format = "iss_sub", iss = SharedSignalsFixture.IdpIssuer, sub }, session = new { format = "opaque", id = "sso-session-1" } };
        using (var accepted = await PushAsync(Sign(Claims(New(), subject, SessionRevoked, new { initiating_entity = "admin" }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var inventory = Estate.Server.Services.GetRequiredService<IdentityInventory>();
        Assert.Equal(IdentityStatus.Offboarded, (await inventory.GetAsync(identity, Ct))!.Status);

        // An event the receiver does not act on is accepted and recorded, and changes nothing.
        var bystander = DetectionEstate.Domain + "agent/bystander-" + Guid.NewGuid().ToString("N")[..8];
        await Estate.RegisterAsync(bystander, owner: "bystander@example.test");
        using (var other = await PushAsync(Sign(Claims(New(), new { format = "email", email = "bystander@example.test" }, CredentialChange, new { credential_type = "password", change_type = "update" }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        }

        Assert.Equal(IdentityStatus.Active, (await inventory.GetAsync(bystander, Ct))!.Status);
    }

    [Fact]
    public async Task Receiver_ShouldRefuseEverySetThatIsNotStrictlyValid()
    {
        var subject = new { format = "email", email = "nobody@example.test" };
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cases = new (string Set, string Error)[]
        {
            (Sign(Claims(New(), subject, AccountDisabled, new { }, aud: "https://someone-else.example.test")), "invalid_audience"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }, iss: "https://rogue.example.test")), "invalid_issuer"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }), key: otherKey), "invalid_key"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }), kid: "unknown-kid"), "invalid_key"),
            (JWT.Encode(Claims(New(), subject, AccountDisabled, new { }), Encoding.ASCII.GetBytes("a-shared-secret-of-32-bytes-long"), JwsAlgorithm.HS256, new Dictionary<string, object> { ["typ"] = "secevent+jwt", ["kid"] = SharedSignalsFixture.IdpKid }), "invalid_key"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }), typ: "JWT"), "invalid_request"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }, iat: DateTimeOffset.UtcNow.AddHours(-3))), "invalid_request"),
            (Sign(Claims(New(), subject, AccountDisabled, new { }, iat: DateTimeOffset.UtcNow.AddHours(1))), "invalid_request"),
            (JWT.Encode(Claims(New(), subject, AccountDisabled, new { }), null, JwsAlgorithm.none, new Dictionary<string, object> { ["typ"] = "secevent+jwt" }), "invalid_request"),
            ("not-a-jwt", "invalid_request"),
        };
        foreach (var (set, error) in cases)
        {
            using var response = await PushAsync(set);
            await AssertSetErrorAsync(response, error);
        }

        using var content = new StringContent(Sign(Claims(New(), subject, AccountDisabled, new { })), Encoding.ASCII, "application/json");
        using var wrongType = await new HttpClient { BaseAddress = Estate.Server.Address }.PostAsync("/ssf/receiver", content, Ct);
        await AssertSetErrorAsync(wrongType, "invalid_request");
    }

    private static string New() => Guid.NewGuid().ToString("N");

    private static string Claims(string jti, object subject, string type, object claims, string aud = SharedSignalsFixture.ReceiverAudience, string iss = SharedSignalsFixture.IdpIssuer, DateTimeOffset? iat = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = iss,
            ["aud"] = aud,
            ["iat"] = (iat ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["jti"] = jti,
            ["sub_id"] = subject,
            ["events"] = new Dictionary<string, object> { [type] = claims },
        });

    private string Sign(string payload, ECDsa? key = null, string kid = SharedSignalsFixture.IdpKid, string typ = "secevent+jwt") =>
        JWT.Encode(payload, key ?? fixture.IdpKey, JwsAlgorithm.ES256, new Dictionary<string, object> { ["typ"] = typ, ["kid"] = kid });

    private async Task<HttpResponseMessage> PushAsync(string set)
    {
        using var client = new HttpClient { BaseAddress = Estate.Server.Address };
        var content = new StringContent(set, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        return await client.PostAsync("/ssf/receiver", content, Ct);
    }

    private static async Task AssertSetErrorAsync(HttpResponseMessage response, string error)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400 {error}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error, body.GetProperty("err").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("description").GetString()));
    }

    /// <summary>Verifies a SET with jose-jwt against the transmitter's published JWKS: ES256 only, typ secevent+jwt, issuer and claims present.</summary>
    private DecodedSet Decode(string token, ReceivedRequest? request = null)
    {
        var headers = JWT.Headers(token);
        Assert.Equal("secevent+jwt", headers["typ"]);
        Assert.Equal("ES256", headers["alg"]);
        var jwk = JwksAsync().GetAwaiter().GetResult().Keys.Single(k => k.KeyId == (string)headers["kid"]);
        var payload = JsonDocument.Parse(JWT.Decode(token, jwk.ECDsaKey(), JwsAlgorithm.ES256)).RootElement.Clone();
        Assert.Equal(Estate.Server.Address.ToString().TrimEnd('/'), payload.GetProperty("iss").GetString());
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("jti").GetString()));
        Assert.Equal(JsonValueKind.Number, payload.GetProperty("iat").ValueKind);
        Assert.False(payload.TryGetProperty("exp", out _));
        var events = payload.GetProperty("events").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.Clone(), StringComparer.Ordinal);
        Assert.Single(events);

        // A tampered payload does not verify with the same library: the check above can fail.
        var parts = token.Split('.');
        var tampered = parts[0] + "." + Base64Url.Encode(Encoding.UTF8.GetBytes(JWT.Payload(token).Replace("\"iat\"", "\"iat \"", StringComparison.Ordinal))) + "." + parts[2];
        Assert.ThrowsAny<JoseException>(() => JWT.Decode(tampered, jwk.ECDsaKey(), JwsAlgorithm.ES256));
        return new DecodedSet(payload, events, request!);
    }

    private JwkSet? jwks;

    private async Task<JwkSet> JwksAsync()
    {
        if (jwks is null)
        {
            using var anonymous = new HttpClient { BaseAddress = Estate.Server.Address };
            var config = await JsonAsync(await anonymous.GetAsync("/.well-known/ssf-configuration", Ct));
            var text = await anonymous.GetStringAsync(config.GetProperty("jwks_uri").GetString(), Ct);
            jwks = JwkSet.FromJson(text, JWT.DefaultSettings.JsonMapper);
        }

        return jwks;
    }

    /// <summary>
    /// The first SET the receiver got (so far, or within 20 s) that matches: SETs of one ledger batch may arrive in any
    /// order, so every request stays in <see cref="LoopbackReceiver.All"/> and each search looks at all of them.
    /// </summary>
    private async Task<DecodedSet> NextSetAsync(LoopbackReceiver receiver, Func<DecodedSet, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            foreach (var request in receiver.All)
            {
                var set = Decode(request.Body, request);
                if (match(set))
                {
                    return set;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "The expected SET was not pushed.");
            await Task.Delay(50, Ct);
        }
    }

    private async Task<JsonElement> CreateStreamAsync(object body)
    {
        using var response = await Estate.Admin.PostAsJsonAsync("/ssf/streams", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task SetStatusAsync(string id, string status)
    {
        var answer = await JsonAsync(await Estate.Admin.PostAsJsonAsync("/ssf/status", new { stream_id = id, status }, Ct));
        Assert.Equal(status, answer.GetProperty("status").GetString());
    }

    private async Task DeleteStreamAsync(string id)
    {
        using var response = await Estate.Admin.DeleteAsync("/ssf/streams?stream_id=" + id, Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<JsonElement> PollAsync(string id, object body) =>
        await JsonAsync(await Estate.Admin.PostAsJsonAsync("/ssf/poll/" + id, body, Ct));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    /// <summary>A SET as jose-jwt verified it: its claims and its one event.</summary>
    private sealed record DecodedSet(JsonElement Payload, Dictionary<string, JsonElement> Events, ReceivedRequest Request)
    {
        public bool About(string identity) =>
            Payload.TryGetProperty("sub_id", out var s)
            && ((s.TryGetProperty("uri", out var uri) && uri.GetString() == identity)
                || (s.TryGetProperty("user", out var user) && user.TryGetProperty("uri", out var inner) && inner.GetString() == identity));
    }
}
