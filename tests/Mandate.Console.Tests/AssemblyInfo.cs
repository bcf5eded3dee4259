[assembly: AssemblyFixture(typeof(Mandate.Console.Tests.Infrastructure.Chromium))]
