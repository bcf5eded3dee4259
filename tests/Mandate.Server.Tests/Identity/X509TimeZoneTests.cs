using System.Security.Cryptography.X509Certificates;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// Certificate validity must be compared as instants: <c>X509Certificate2.NotBefore/NotAfter</c> are local times, and a
/// server east of UTC once found no valid CA for hours after creating one (X.509-SVID requests answered 500), while a
/// server west of UTC dropped its CA hours before it expired.
/// </summary>
[Collection(nameof(LocalTimeZoneCollection))]
public sealed class X509TimeZoneTests
{
    private const string Workload = "spiffe://demo.mandate.local/test/x509-zone";

    [Theory]
    [InlineData("Asia/Tokyo")]
    [InlineData("America/Los_Angeles")]
    [InlineData("Etc/UTC")]
    public async Task X509Svid_ShouldBeIssuedThroughoutTheCaLifetime_WhateverTheLocalTimeZone(string zone)
    {
        var clock = new ManualClock(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));
        X509Certificate2 first, late;
        List<X509Certificate2> authorities;
        DateTimeOffset firstAt, lateAt, caNotAfter;
        using (LocalTimeZone.Set(zone))
        {
            await using var server = await MandateTestServer.StartAsync(configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(clock);
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Mandate:Identity:CaLifetime"] = "3.00:00:00",
                    ["Mandate:Identity:X509SvidMaxTtl"] = "1.00:00:00",
                });
            });
            await X509Issuing.RegisterAsync(server, Workload, TimeSpan.FromDays(30));

            // Just after the first start: the new CA signs at once.
            firstAt = clock.GetUtcNow();
            first = await X509Issuing.IssueAsync(server, Workload);
            authorities = await X509Issuing.PublishedAuthoritiesAsync(server);

            // Two hours before the CA expires (renewal did not run): it still signs, and the leaf stops with it.
            caNotAfter = X509Issuing.NotAfter(Assert.Single(authorities));
            clock.Set(caNotAfter.AddHours(-2));
            lateAt = clock.GetUtcNow();
            late = await X509Issuing.IssueAsync(server, Workload, ttlSeconds: 4 * 3600);
            Assert.Equal(authorities.Select(c => c.Thumbprint), (await X509Issuing.PublishedAuthoritiesAsync(server)).Select(c => c.Thumbprint));
        }

        // Checked back in the test's own zone, like any relying party would (reloaded: a certificate object caches
        // its validity in the local time of its first read).
        static X509Certificate2 Reload(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
        var roots = authorities.Select(Reload).ToList();
        Assert.Null(X509Issuing.ChainProblem(Reload(first), roots, firstAt));
        Assert.Null(X509Issuing.ChainProblem(Reload(late), roots, lateAt));
        Assert.Equal(caNotAfter, X509Issuing.NotAfter(Reload(late)));
        Assert.Equal(caNotAfter, X509Issuing.NotAfter(roots[0]));
    }
}
