using McpServerSample;

// dotnet run --project samples/McpServerSample
var root = Path.Combine(Path.GetTempPath(), "hermes-mcp-sample-" + Guid.NewGuid().ToString("N"));
try
{
    return await McpSample.RunAsync(Console.Out, root);
}
finally
{
    Directory.Delete(root, recursive: true);
}
