using Mandate.Core.Hosting;
using Mandate.Core.Policies;
using Mandate.Server.Health;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Policies;

/// <summary>
/// Loads the policy set before traffic: <c>--data DIR</c> (then watched for changes), else the bundled demo estate in
/// demo mode, else the last version stored (set through the admin API), else the empty set, which denies everything.
/// Rejections are reported on <c>/readyz</c> until a later set loads.
/// </summary>
internal sealed class PolicyStartup(
    IOptions<MandateServerOptions> options,
    PolicyService policies,
    ReadinessChecks readiness,
    BackgroundHealth health,
    TimeProvider time,
    ILoggerFactory loggers) : IStartupTask, IDisposable
{
    private PolicyDirectoryWatcher? watcher;

    public const string NoPoliciesComponent = "policies";
    public const string NoPoliciesWarning = "no policies loaded: every request is denied (load some with --data DIR or PUT /v1/policies)";

    public int Order => 400;

    /// <summary>The watcher of <c>--data DIR</c>, when one runs.</summary>
    public PolicyDirectoryWatcher? Watcher => watcher;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        policies.Active.RejectionChanged += (_, rejection) => readiness.Report("policies", rejection?.Summary);
        policies.Active.Activated += (_, snapshot) => ReportEmpty(snapshot);
        await LoadAsync(cancellationToken);
        ReportEmpty(policies.Active.Current);
    }

    /// <summary>No policy means every request is denied: legal, but never silent (a warning and a degraded /readyz).</summary>
    private void ReportEmpty(PolicySnapshot snapshot)
    {
        if (snapshot.Policies.Policies.Count > 0)
        {
            readiness.Warn(NoPoliciesComponent, null);
            return;
        }

        readiness.Warn(NoPoliciesComponent, NoPoliciesWarning);
        loggers.CreateLogger<PolicyStartup>().LogNoPolicies();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.DataDirectory))
        {
            var directory = Path.GetFullPath(settings.DataDirectory);
            try
            {
                await policies.ActivateAsync(PolicyDirectory.Read(directory), "data:" + directory, "system", cancellationToken);
            }
            catch (PolicySetRejectedException e)
            {
                throw new StartupException($"The policies in {directory} cannot be loaded:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", e.Errors)}", e);
            }

            watcher = new PolicyDirectoryWatcher(directory, policies, health, time, loggers.CreateLogger<PolicyDirectoryWatcher>());
            watcher.Start();
            return;
        }

        if (settings.Demo)
        {
            var bundle = DemoPolicies.Read();
            try
            {
                await policies.ActivateAsync(bundle, "demo", "system", cancellationToken);
            }
            catch (PolicySetRejectedException e)
            {
                throw new StartupException("The bundled demo policies do not load (a build defect): " + string.Join("; ", e.Errors), e);
            }

            return;
        }

        try
        {
            await policies.RestoreLastAsync(cancellationToken);
        }
        catch (PolicySetRejectedException e)
        {
            // The stored version no longer compiles (an engine change): keep the empty set and say why.
            readiness.Report("policies", "the last stored policy version does not load: " + string.Join("; ", e.Errors));
            loggers.CreateLogger<PolicyStartup>().LogStoredPolicyRejected(e);
        }
    }

    public void Dispose() => watcher?.Dispose();
}

internal static partial class PolicyStartupLog
{
    [LoggerMessage(EventId = 4020, Level = LogLevel.Error, Message = "The last stored policy version does not load; deciding with the empty set (deny all)")]
    public static partial void LogStoredPolicyRejected(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "No policies loaded: every request is denied. Load policies with --data DIR or through the admin API (PUT /v1/policies)")]
    public static partial void LogNoPolicies(this ILogger logger);
}
