namespace Mandate.Server.Hosting;

/// <summary>
/// A Mandate background service started only once <see cref="StartupGate"/> opens: the host starts (and Kestrel
/// listens) before the start-up tasks run, and a loop must not touch a store that is not migrated yet or keys that
/// are not loaded. If start-up fails the service is never started.
/// </summary>
internal sealed class StartupGatedHostedService(IHostedService inner, bool ownsInner, StartupGate gate) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private Task<bool>? starting;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        starting = StartWhenReadyAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (starting is null)
        {
            return;
        }

        // The token handed to the inner StartAsync means "abandon the start": cancelled only while the start is still
        // under way. A service that has started may keep callbacks on it (linked sources, wait handles) that must not
        // run as a second stop signal while it is stopping or being disposed.
        if (!starting.IsCompleted)
        {
            await stopping.CancelAsync();
        }

        var started = await starting;
        if (started)
        {
            await inner.StopAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        stopping.Dispose();
        if (ownsInner && inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>
    /// Replaces every hosted service Mandate registered (by type, factory or instance) with its gated form, and the
    /// data-protection key ring's loader; the framework's others (Kestrel's web host, telemetry) start as they always do.
    /// </summary>
    public static void GateMandateServices(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IHostedService) || descriptor.IsKeyedService || !(IsMandate(descriptor) || IsKeyRingLoader(descriptor)))
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp =>
            {
                var gate = sp.GetRequiredService<StartupGate>();
                if (descriptor.ImplementationInstance is IHostedService instance)
                {
                    return new StartupGatedHostedService(instance, ownsInner: false, gate);
                }

                // A factory (the signal loops) hands out a container singleton, which the container disposes itself.
                return descriptor.ImplementationFactory is { } factory
                    ? new StartupGatedHostedService((IHostedService)factory(sp), ownsInner: false, gate)
                    : new StartupGatedHostedService((IHostedService)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), ownsInner: true, gate);
            });
        }
    }

    /// <summary>
    /// ASP.NET Core's data-protection warm-up, which reads the key ring at host start: the console keeps that ring in
    /// the store, which is not migrated until the gate opens (and never is when start-up fails).
    /// </summary>
    private static bool IsKeyRingLoader(ServiceDescriptor descriptor) =>
        descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    private static bool IsMandate(ServiceDescriptor descriptor)
    {
        var factory = descriptor.ImplementationFactory?.Method;
        var type = descriptor.ImplementationType
            ?? descriptor.ImplementationInstance?.GetType()
            ?? (factory is not null && factory.ReturnType != typeof(object) && factory.ReturnType != typeof(IHostedService) ? factory.ReturnType : null)
            ?? factory?.DeclaringType;
        return type?.Namespace?.StartsWith("Mandate.", StringComparison.Ordinal) == true;
    }

    private async Task<bool> StartWhenReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await gate.Ready.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped first, or start-up failed (the gate is cancelled): the service never starts.
            return false;
        }

        await inner.StartAsync(cancellationToken);
        return true;
    }
}
