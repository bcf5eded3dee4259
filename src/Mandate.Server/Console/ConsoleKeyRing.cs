using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Console;

/// <summary>
/// Data protection (the console's session and sign-in cookies, antiforgery) with its key ring in the store, encrypted
/// under the key-encryption key, and one application name for every node (the framework's default is the content
/// root's path, which differs between nodes and would make their cookies unreadable to each other).
/// </summary>
internal static class ConsoleKeyRing
{
    public const string ApplicationName = "Mandate";

    public static void Add(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new StoreXmlRepository(provider.GetRequiredService<IMandateStore>(), provider.GetRequiredService<TimeProvider>());
            o.XmlEncryptor = new KeyRingEncryptor(provider.GetRequiredService<PrivateKeyProtector>());
        }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, ConsoleKeyRingStartup>());
    }
}
