using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Governance.Inventory;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Governance;

/// <summary>
/// Demo mode only: imports the demo estate's slice of an AWS account (<c>Demo/credential-report.csv</c>: the root
/// account and a console user, both skipped; a stale key, a key overdue for rotation, a healthy deployer; none with an
/// owner) through the ordinary importer, once. Its times are written relative to now (<c>{days-ago:N}</c>) so the
/// estate looks the same whenever the demo first starts.
/// </summary>
internal sealed partial class InventoryDemoSeed(
    IOptions<MandateServerOptions> server,
    InventoryImporter importer,
    InventoryReader reader,
    FindingService findings,
    TimeProvider time) : IStartupTask
{
    public const string FileName = "credential-report.csv";

    public int Order => 910;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!server.Value.Demo)
        {
            return;
        }

        if ((await reader.ListAsync(new InventoryQuery { Source = AwsCredentialReportParser.Source, Limit = 1 }, cancellationToken)).Count > 0)
        {
            return;
        }

        var report = await importer.ImportAsync(
            new InventoryImportRequest { Format = InventoryFormat.AwsCredentialReport, Content = Encoding.UTF8.GetBytes(Render(Template(), time.GetUtcNow())), FileName = FileName },
            "system",
            null,
            cancellationToken);
        if (report.Errors.Count > 0)
        {
            throw new StartupException($"The demo credential report could not be imported: line {report.Errors[0].Line}: {report.Errors[0].Reason}");
        }

        // So that a first `mandate findings` shows the estate's findings at once.
        await findings.RecomputeAsync("system", null, cancellationToken);
    }

    internal static string Render(string template, DateTimeOffset now) => DaysAgo().Replace(
        template,
        m => now.AddDays(-int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture));

    internal static string Template()
    {
        using var stream = typeof(InventoryDemoSeed).Assembly.GetManifestResourceStream("demo/" + FileName)
            ?? throw new InvalidOperationException("The demo credential report is not embedded.");
        using var text = new StreamReader(stream, Encoding.UTF8);
        return text.ReadToEnd();
    }

    [GeneratedRegex(@"\{days-ago:(\d{1,4})\}")]
    private static partial Regex DaysAgo();
}
