using System.Net;
using System.Text.RegularExpressions;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// The console's data-protection key ring kept in the store: two nodes on one PostgreSQL schema (sharing the state
/// directory, so the key-encryption key) read each other's console cookies, a restarted node still reads them, and the
/// stored keys hold no plaintext key material.
/// </summary>
public sealed partial class ConsoleKeyRingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConsoleCookie_FromOneNode_ShouldBeAcceptedByAnother_AndAfterARestart()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = ClusterNodes.NewStateDirectory();
        Directory.CreateDirectory(state);

        var a = await StartAsync(connection, state, "node-a");
        string cookie;
        try
        {
            await using (var b = await StartAsync(ClusterNodes.As(connection, "node-b"), state, "node-b"))
            {
                var (admin, token, _) = await OperatorTestData.AddWithTokenAsync(b, "console-reader", "auditor");
                admin.Dispose();
                cookie = await SignInAsync(a, token);
                Assert.True(await SignedInAsync(a, cookie), "node A reads its own cookie");
                Assert.True(await SignedInAsync(b, cookie), "node B reads the cookie node A issued");
                Assert.False(await SignedInAsync(b, cookie[..^4] + "AAAA"), "a tampered cookie is still refused");
            }

            // A restart of A keeps the ring (it is in the store), so the person stays signed in.
            await a.DisposeAsync();
            a = await StartAsync(connection, state, "node-a-again");
            Assert.True(await SignedInAsync(a, cookie), "the restarted node reads the cookie issued before the restart");
        }
        finally
        {
            await a.DisposeAsync();
        }

        // The stored ring: every key's secret is the key-encryption key's ciphertext, never the XML of a master key.
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(Ct);
        await using var select = new NpgsqlCommand("SELECT name, value FROM data_protection_keys", database);
        await using var reader = await select.ExecuteReaderAsync(Ct);
        var rows = 0;
        while (await reader.ReadAsync(Ct))
        {
            rows++;
            var xml = reader.GetString(1);

            // The cookie was protected with this stored key (a protected payload is a 4-byte magic header, then the
            // key's id), not with a key ring the nodes happened to share some other way (a home directory).
            var keyId = Guid.Parse(System.Xml.Linq.XElement.Parse(xml).Attribute("id")!.Value);
            Assert.Equal(keyId, new Guid(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(cookie).AsSpan(4, 16)));
            Assert.StartsWith("key-", reader.GetString(0), StringComparison.Ordinal);
            Assert.Contains("decryptorType=\"Mandate.Server.Console.KeyRingDecryptor,", xml, StringComparison.Ordinal);
            Assert.Contains("<mandateKeyEncryption version=\"1\"", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        }

        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task ConsoleCookie_ShouldSurviveARestart_OnSqlite()
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "keyring-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        var server = await MandateTestServer.StartAsync(o => o.StateDirectory = state);
        try
        {
            var (admin, token, _) = await OperatorTestData.AddWithTokenAsync(server, "console-reader", "auditor");
            admin.Dispose();
            var cookie = await SignInAsync(server, token);
            Assert.True(await SignedInAsync(server, cookie));
            await server.DisposeAsync();
            server = await MandateTestServer.StartAsync(o => o.StateDirectory = state);
            Assert.True(await SignedInAsync(server, cookie), "the restarted node reads the cookie issued before the restart");

            // It was read with a key from the SQLite store, not from a key ring the process kept elsewhere.
            await using var session = await server.Services.GetRequiredService<Mandate.Core.Storage.IMandateStore>().BeginAsync(Mandate.Core.Storage.StoreIntent.Read, Ct);
            var stored = await session.Get<Mandate.Core.Storage.IDataProtectionKeyRepository>().ListAsync(Ct);
            var keyId = new Guid(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(cookie).AsSpan(4, 16));
            Assert.Contains(stored, row => Guid.Parse(System.Xml.Linq.XElement.Parse(row.Value).Attribute("id")!.Value) == keyId && !row.Value.Contains("masterKey", StringComparison.Ordinal));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static Task<MandateTestServer> StartAsync(string connection, string state, string node) =>
        MandateTestServer.StartAsync(o =>
        {
            o.Store = MandateTestServer.PostgresLocation(ClusterNodes.As(connection, node));
            o.StateDirectory = state;
        });

    /// <summary>Signs in at <paramref name="server"/>'s console as a browser does (antiforgery first); the session cookie's value.</summary>
    private static async Task<string> SignInAsync(MandateTestServer server, string token)
    {
        var jar = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = jar }) { BaseAddress = server.Address };
        var html = await client.GetStringAsync(new Uri("/console", UriKind.Relative), Ct);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups[1].Value),
            ["token"] = token,
        });
        using var response = await client.PostAsync(new Uri("/console", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return jar.GetCookies(new Uri(server.Address, "/console")).Single(c => c.Name == "mandate_console").Value;
    }

    private static async Task<bool> SignedInAsync(MandateTestServer server, string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", "mandate_console=" + cookie);
        using var response = await client.SendAsync(request, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        return html.Contains("Signed in as <strong>operator:console-reader</strong>", StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
