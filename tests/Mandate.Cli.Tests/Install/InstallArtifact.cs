namespace Mandate.Cli.Tests.Install;

/// <summary>
/// Where test.sh put what it built for users (the binary, the image, the packages). Without the variable a test is
/// skipped, saying how to build the artifact; under CI (<c>CI=true</c>, set by .ci/run) it fails instead, as the
/// PostgreSQL tests do, so a CI run never passes without them.
/// </summary>
internal static class InstallArtifact
{
    public static string Require(string variable, string howToBuild)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            var message = $"{variable} is not set: {howToBuild} (./test.sh does)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        return value;
    }
}
