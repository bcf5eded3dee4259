using System.Reflection;
using System.Text.Json;
using Mandate.Server.Audit;
using Mandate.Server.Authentication;
using Mandate.Server.Console;
using Mandate.Server.Credentials;
using Mandate.Server.Decisions;
using Mandate.Server.Delegation;
using Mandate.Server.DynamicCredentials;
using Mandate.Server.Governance;
using Mandate.Server.Exceptions;
using Mandate.Server.Governance.Offboarding;
using Mandate.Server.Governance.Reviews;
using Mandate.Server.Detection;
using Mandate.Server.Health;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Identity;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Mandate.Server.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mandate.Server;

/// <summary>Builds and starts the Mandate server: the one composition root shared by <c>mandate serve</c> and the tests.</summary>
internal static class MandateServer
{
    public const string MeterName = Core.Telemetry.MandateMetrics.MeterName;
    public const string ActivitySourceName = "Mandate";

    public static string Version { get; } =
        typeof(MandateServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";

    /// <summary>Builds the application and runs every startup task (migrations, keys, policies, demo data).</summary>
    public static async Task<WebApplication> CreateAsync(MandateServerOptions options, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var app = Build(options, configure);
        await RunStartupAsync(app, cancellationToken);
        return app;
    }

    /// <summary>
    /// Builds the application and validates its settings without running the start-up tasks: the caller may start
    /// listening first (<c>/healthz</c> answers at once, everything else 503 <c>starting</c>) and then call
    /// <see cref="RunStartupAsync"/>.
    /// </summary>
    public static WebApplication Build(MandateServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PublicUrl is { } publicUrl && !Http.PublicBaseUrl.IsValid(publicUrl))
        {
            throw new ArgumentException("PublicUrl must be an absolute http(s) URL without query or fragment.", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production,
            ApplicationName = typeof(MandateServer).Assembly.GetName().Name,
        });
        if (options.ConfigurationFile is { } file)
        {
            AddBelowEnvironment(builder.Configuration, file);
        }

        if (Http2Endpoints(options) is { } endpoints)
        {
            // Kestrel sets protocols per endpoint only through its endpoint configuration, which then replaces UseUrls.
            builder.Configuration.AddInMemoryCollection(endpoints);
        }
        else
        {
            builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(15);

            // Belt and braces: every Mandate loop catches, logs, retries and reports its own failures (BackgroundLoop);
            // should one escape anyway, the host keeps serving instead of stopping.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });
        ConfigureLogging(builder);
        AddServices(builder.Services, options);
        configure?.Invoke(builder);

        var app = builder.Build();
        Configure(app);
        // Settings are validated before any start-up work touches the store, so a bad value stops the start naming its key.
        app.Services.GetService<IStartupValidator>()?.Validate();
        return app;
    }

    /// <summary>
    /// Runs every start-up task in order, showing each on <c>/readyz</c>, then opens the server to every request and
    /// starts the background services, then the hosted MCP gateways. A failure leaves the gate closed and propagates
    /// (the caller stops the host); a gateway that cannot listen is a <see cref="StartupException"/> naming its file.
    /// </summary>
    public static async Task RunStartupAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<MandateServerOptions>>().Value;
        var gate = app.Services.GetRequiredService<StartupGate>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mandate.Server");
        Log.Starting(logger, Version, options.Urls, options.EffectiveStore.Describe());
        try
        {
            foreach (var task in app.Services.GetServices<IStartupTask>().OrderBy(t => t.Order))
            {
                gate.Begin(task.Step);
                await task.RunAsync(cancellationToken);
            }
        }
        catch
        {
            gate.Fail();
            throw;
        }

        gate.Open();

        // The hosted MCP gateways decide through this server's decision point: they listen once it is ready.
        if (app.Services.GetService<Gateway.McpGatewayHost>() is { } gateways)
        {
            await gateways.StartGatewaysAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The configuration file's settings, ranked above appsettings.json and below the environment variables (and so
    /// below anything added later), as docs/deployment.md says.
    /// </summary>
    private static void AddBelowEnvironment(ConfigurationManager configuration, Hosting.ConfigurationFile file)
    {
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = file.Values };
        var sources = ((IConfigurationBuilder)configuration).Sources;
        var environment = sources.Select((s, i) => (s, i))
            .FirstOrDefault(e => e.s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment.s is null)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(environment.i, source);
        }
    }

    /// <summary>
    /// The Kestrel endpoints when h2c is asked for: every <see cref="MandateServerOptions.Urls"/> as before (HTTP/1.1,
    /// and HTTP/2 by ALPN over TLS), every <see cref="MandateServerOptions.Http2Urls"/> HTTP/2 only. Null: none asked.
    /// </summary>
    private static Dictionary<string, string?>? Http2Endpoints(MandateServerOptions options)
    {
        var http2 = (options.Http2Urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (http2.Length == 0)
        {
            return null;
        }

        var endpoints = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            endpoints[$"Kestrel:Endpoints:Mandate{index++}:Url"] = url;
        }

        foreach (var url in http2)
        {
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"HTTP/2 cleartext listen URLs must be http:// URLs: '{url}'.", nameof(options));
            }

            endpoints[$"Kestrel:Endpoints:Mandate{index}:Url"] = url;
            endpoints[$"Kestrel:Endpoints:Mandate{index++}:Protocols"] = "Http2";
        }

        return endpoints;
    }

    /// <summary>The server's logging (console, one line, or JSON with <c>MANDATE_LOG_FORMAT=json</c>); the hosted MCP gateways log the same way.</summary>
    internal static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(Environment.GetEnvironmentVariable("MANDATE_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Authentication handlers log every challenge at Information; Mandate logs the failures it cares about itself.
        builder.Logging.AddFilter("Mandate.Server.Authentication", LogLevel.Warning);
    }

    private static void AddServices(IServiceCollection services, MandateServerOptions options)
    {
        services.AddSingleton(Options.Create(options));
        services.TryAddSingleton<ReadinessChecks>();
        services.TryAddSingleton<StartupGate>();
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateOnStart();
        services.AddOptions<Core.Storage.ClusterOptions>().BindConfiguration(Core.Storage.ClusterOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, AdminTokenStartup>());
        services.AddMandate()
            .AddStore(options.EffectiveStore)
            .AddIdentity().AddIdentityHosting()
            .AddDecisions().AddDecisionHosting()
            .AddAudit().AddAuditHosting()
            .AddTasks().AddTaskHosting()
            .AddDynamicCredentials().AddDynamicCredentialHosting()
            .AddOperators().AddOperatorHosting()
            .AddGovernance().AddGovernanceHosting()
            .AddAccessReviews().AddAccessReviewHosting()
            .AddExceptions().AddExceptionHosting()
            .AddDetection().AddDetectionHosting()
            .AddSignals().AddSignalHosting()
            .AddConsoleHosting();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;

            // {"a":"1","a":"3"} would otherwise keep only the last value without a word: refuse the ambiguity.
            o.SerializerOptions.AllowDuplicateProperties = false;

            // A number is a JSON number: "ttl_seconds": "300" is a mistake to report, not to guess at.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problem.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();

        // Body and parameter binding failures throw, so ProblemExceptionHandler can say what was wrong (where in the
        // JSON, which parameter) instead of the bare 400 minimal APIs write outside Development.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.TryAddSingleton<AuthenticationFailureAudit>();
        services.TryAddSingleton<Http.PublicBaseUrl>();
        services.AddTrustedProxies();
        services.AddOptions<AuthenticationFailureLimitOptions>()
            .BindConfiguration(AuthenticationFailureLimit.SectionName)
            .Validate(o => o.PermitLimit > 0, AuthenticationFailureLimit.SectionName + ":PermitLimit must be greater than 0.")
            .Validate(o => o.Window > TimeSpan.Zero, AuthenticationFailureLimit.SectionName + ":Window must be greater than 0.")
            .ValidateOnStart();
        services.TryAddSingleton<AuthenticationFailureLimit>();
        // The admin handler implements IAuthenticationHandler itself (see its remarks), so it is added to the options
        // rather than with AddScheme, and registered for the handler provider to resolve per request.
        services.AddAuthentication(o =>
        {
            o.DefaultScheme = AdminAuthenticationHandler.SchemeName;
            o.AddScheme<AdminAuthenticationHandler>(AdminAuthenticationHandler.SchemeName, displayName: null);
        });
        services.TryAddTransient<AdminAuthenticationHandler>();
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, CachedAuthenticationSchemeProvider>());
        services.Replace(ServiceDescriptor.Scoped<IAuthenticationHandlerProvider, RequestAuthenticationHandlers>());

        // Domain metrics (docs/operations.md, "Metrics"): the instruments come with AddMandate; the gauges start with the host.
        services.AddOptions<Core.Telemetry.MetricsOptions>()
            .BindConfiguration(Core.Telemetry.MetricsOptions.SectionName)
            .Validate(
                o => o.StoreGaugeMaxAge >= TimeSpan.FromMilliseconds(100) && o.StoreGaugeMaxAge <= TimeSpan.FromHours(1),
                Core.Telemetry.MetricsOptions.SectionName + ":StoreGaugeMaxAge must be between 00:00:00.1 and 01:00:00.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Core.Telemetry.MandateGauges>());

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("mandate", serviceVersion: Version))
            .WithMetrics(m => m.AddMeter(MeterName).AddAspNetCoreInstrumentation().AddPrometheusExporter())
            .WithTracing(t => t.AddSource(ActivitySourceName).AddAspNetCoreInstrumentation());
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            // Traces and metrics also go to an OTLP collector when one is configured the standard way.
            telemetry.UseOtlpExporter();
        }

        if (options.McpGateways.Count > 0)
        {
            // Started by RunStartupAsync once the decision point is ready; stopped before the server (a hosted service).
            services.TryAddSingleton<Gateway.McpGatewayHost>();
            services.AddHostedService(sp => sp.GetRequiredService<Gateway.McpGatewayHost>());
        }

        StartupGatedHostedService.GateMandateServices(services);
    }

    private static void Configure(WebApplication app)
    {
        // Before anything reads the client's address or the scheme (rate limits, loopback checks, audit records).
        app.UseTrustedProxies();
        app.UseMiddleware<ChallengeHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<StartupGateMiddleware>();
        // Before authentication: a refused request costs as little as possible (only anonymous endpoints are limited).
        // The singletons are taken once here, not resolved from the request's services on every request.
        app.UseRateLimiter();
        var credentialLimit = app.Services.GetRequiredService<Http.CredentialRateLimit>();
        app.Use((context, next) => credentialLimit.InvokeAsync(context, next));
        var failureLimit = app.Services.GetRequiredService<AuthenticationFailureLimit>();
        app.Use((context, next) => failureLimit.InvokeAsync(context, next));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<MetricsAccess>();
        app.UseConsole();
        app.MapHealthEndpoints();
        app.MapAdminStatusEndpoints();
        app.MapIdentityEndpoints();
        app.MapAuthZenEndpoints();
        app.MapPermittedEndpoints();
        app.MapAuditEndpoints();
        app.MapTaskEndpoints();
        app.MapDynamicCredentialEndpoints();
        app.MapTaskRevocationEndpoints();
        app.MapOAuthEndpoints();
        app.MapTokenExchangeEndpoints();
        app.MapOAuthMetadataEndpoints();
        app.MapOperatorEndpoints();
        app.MapPepCredentialEndpoints();
        app.MapInventoryEndpoints();
        app.MapFindingEndpoints();
        app.MapSecretEndpoints();
        app.MapComplianceEndpoints();
        app.MapReviewEndpoints();
        app.MapOffboardingEndpoints();
        app.MapExceptionEndpoints();
        app.MapAlertEndpoints();
        app.MapWebhookEndpoints();
        app.MapSharedSignalsEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapConsole();
    }
}
