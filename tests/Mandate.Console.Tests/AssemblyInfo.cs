[assembly: AssemblyFixture(typeof(Mandate.Console.Tests.Infrastructure.Chromium))]

// Web-first assertions wait for the page; on a loaded two-core machine a page can take seconds to come.
[assembly: Mandate.Console.Tests.Infrastructure.ExpectTimeout]
