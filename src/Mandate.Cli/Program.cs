using Mandate.Cli;
using Mandate.Cli.Grammar;

// Progress bars go to standard error, and only when a person is watching it.
CliAction.Interactive = !Console.IsErrorRedirected;
return await CliApplication.RunAsync(args, Console.Out, Console.Error);
