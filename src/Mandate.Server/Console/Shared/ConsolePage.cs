using Mandate.Core.Operators;
using Mandate.Server.Operators;
using Microsoft.AspNetCore.Components;

namespace Mandate.Server.Console.Shared;

/// <summary>
/// A console page: it knows the signed-in operator (checked again against the store on every request) and sends
/// anyone else to the sign-in form before loading anything.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter]
    internal HttpContext HttpContext { get; set; } = default!;

    [Inject]
    internal ConsoleSession Session { get; set; } = default!;

    [Inject]
    internal NavigationManager Navigation { get; set; } = default!;

    [Inject]
    internal TimeProvider Time { get; set; } = default!;

    internal ActingOperator? Operator { get; private set; }

    /// <summary>Whether the page may show its content (a signed-in operator).</summary>
    internal bool SignedIn => Operator is not null;

    protected override async Task OnInitializedAsync()
    {
        Operator = await Session.CurrentAsync(HttpContext);
        if (Operator is null)
        {
            if (!AllowsSignedOut)
            {
                Navigation.NavigateTo(ConsolePaths.Root);
            }

            return;
        }

        await LoadAsync(HttpContext.RequestAborted);
    }

    /// <summary>The sign-in page itself renders for a signed-out person; every other page redirects.</summary>
    internal virtual bool AllowsSignedOut => false;

    /// <summary>Reads what the page shows, once the operator is known.</summary>
    internal abstract Task LoadAsync(CancellationToken cancellationToken);

    internal string RoleText => Operator is null ? "" : Operator.IsBootstrapAdmin ? "admin token" : string.Join(", ", Operator.Roles.Select(OperatorRoles.Name));

    internal static string Time3339(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
