using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Output;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>validate [FILE]</c>: every error of an identities file as <c>file:line:col: what to fix</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "The identities file. Default: identities.yaml in the data root.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("validate", "Check an identities file as the library loads it: every error as file:line:col with what to fix. Exit 1 when there are errors.");
        command.Arguments.Add(file);
        CommandRunner.Set(command, (parse, context, _) => Task.FromResult(Run(context, parse.GetValue(file))));
        return command;
    }

    internal static int Run(CliContext context, string? file)
    {
        var path = file ?? Path.Combine(context.Root, "identities.yaml");
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = context.Root).AddYamlIdentities(path);
        using var provider = services.BuildServiceProvider();
        IdentitySnapshot snapshot;
        try
        {
            snapshot = provider.GetRequiredService<IIdentitySnapshotProvider>().Current;
        }
        catch (IdentityConfigException ex)
        {
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["file"] = path,
                    ["valid"] = false,
                    ["errors"] = new JsonArray([.. ex.Errors.Select(e => (JsonNode)new JsonObject
                    {
                        ["file"] = e.File,
                        ["line"] = e.Line,
                        ["column"] = e.Column,
                        ["message"] = e.Message,
                    })]),
                });
            }
            else
            {
                foreach (var error in ex.Errors)
                {
                    context.Line(string.Create(CultureInfo.InvariantCulture, $"{error.File}:{error.Line}:{error.Column}: {error.Message}"));
                }

                context.Line(ex.Errors.Count == 1 ? "1 error." : $"{ex.Errors.Count} errors.");
            }

            return ExitCodes.Problems;
        }

        var people = snapshot.Profiles.Values.Count(p => !p.IsGuest);
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["file"] = path,
                ["valid"] = true,
                ["errors"] = new JsonArray(),
                ["revision"] = snapshot.Revision,
                ["profiles"] = people,
                ["tools"] = snapshot.Tools.Count,
                ["unknown_senders"] = snapshot.UnknownSenders.ToString().ToLowerInvariant(),
            });
        }
        else
        {
            context.Line($"{path}: valid (revision {snapshot.Revision}): {people} profile(s), {snapshot.Tools.Count} tool(s) mapped, unknown senders: {snapshot.UnknownSenders.ToString().ToLowerInvariant()}.");
        }

        return ExitCodes.Ok;
    }
}
