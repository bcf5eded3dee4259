using System.Reflection;
using Xunit.v3;

namespace Mandate.Console.Tests.Infrastructure;

/// <summary>Raises Playwright's assertion timeout (5 s by default) before any test of the assembly runs.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ExpectTimeoutAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) => Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(30_000);
}
