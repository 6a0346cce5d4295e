using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Hermes.Identity.Tests.Architecture;

// ARCHITECTURE.md, "Layers: each one uses only those below it", checked on the built assemblies' metadata: every use
// of one of the core's types by another (signatures, attributes, IL) goes to the same layer or one below. The core is
// two assemblies: Hermes.Identity and Hermes.Identity.Abstractions (the contracts and values store and backend authors
// use, in the same namespaces); the layers hold across both, and Abstractions uses nothing of Hermes.Identity.
public class LayerTests
{
    private const string Internal = "Hermes.Identity.Internal";

    // Every namespace of Hermes.Identity and Hermes.Identity.Abstractions, and its layer. A namespace missing here fails the test: a new one gets a layer.
    private static readonly Dictionary<string, int> NamespaceLayers = new(StringComparer.Ordinal)
    {
        ["Hermes.Identity"] = 1,                            // values and contracts (public: users name them)
        ["Hermes.Identity.State"] = 1,                      // the state store contract: records, changes, the store interface
        ["Hermes.Identity.Configuration"] = 2,              // identities.yaml → the immutable snapshot, and its reload
        ["Hermes.Identity.Configuration.Roles"] = 2,        // the roles compiled into lookups, held by the snapshot
        ["Hermes.Identity.Configuration.Yaml"] = 2,         // the YAML reader
        ["Hermes.Identity.Directories"] = 2,                // the identity directory: its contract, its people by version, the directory overlay on the snapshot
        ["Hermes.Identity.Profiles"] = 3,                   // the resolver, which reads a snapshot
        ["Hermes.Identity.Audit"] = 3,                      // the decision log
        ["Hermes.Identity.Policy"] = 4,                     // the policy engine, the RBAC backend, approvals
        ["Hermes.Identity.Turns"] = 4,                      // the turn: its factory, the current profile, the turn's scope
        ["Hermes.Identity.Budgets"] = 4,                    // budget counters: charged by the engine and the turn factory, kept in the state store
        ["Hermes.Identity.Delegations"] = 4,                // delegations: jobs and sub-agents acting for a person, their store records and bounds
        ["Hermes.Identity.Approvals"] = 4,                  // approval requests answered later, grants limited in time and uses
        ["Hermes.Identity.Memory"] = 5,                     // per-profile stores
        ["Hermes.Identity.Workspace"] = 5,
        ["Hermes.Identity.Sessions"] = 5,
        ["Hermes.Identity.Pairing"] = 4,                    // pairing and linking: codes, approvals, the paired overlay on the snapshot
        ["Hermes.Identity.PersonalData"] = 5,               // export and erasure over the per-profile stores
        ["Hermes.Identity.Prompt"] = 6,                     // the identity prompt
        ["Hermes.Identity.Tools"] = 6,                      // the tool gate every agent-stack adapter uses, the arguments digest
        ["Microsoft.Extensions.DependencyInjection"] = 6,   // registration: AddHermesIsolation and the builder (DependencyInjection/)

        // Cross-cutting: logging and metrics. Every layer may use it; what it uses itself is checked as layer 1
        // (log message parameters are values), so it cannot carry a call from a low layer up to a high one.
        [Internal] = 1,

        // Emitted by the compiler (<PrivateImplementationDetails>, collection-expression lists) and by the options
        // validation source generator: every layer may use them, and they use nothing but one another.
        [""] = 0,
        ["__OptionValidationStaticInstances"] = 0,
        ["__OptionValidationGeneratedAttributes"] = 0,
    };

    // Public types that must stay in namespace Hermes.Identity (users name them) but belong above layer 1. Each is
    // checked at its own layer: what it uses may be as high as that, and nothing below that may use it.
    private static readonly Dictionary<string, (int Layer, string Why)> TypeLayers = new(StringComparer.Ordinal)
    {
        ["Hermes.Identity.IdentitySnapshot"] = (2,
            "The config snapshot itself (layer 2 in ARCHITECTURE.md): it holds the compiled role table (Configuration.Roles) and is read from the YAML (Configuration.Yaml)."),
        ["Hermes.Identity.IIdentitySnapshotProvider"] = (2,
            "The contract that hands out IdentitySnapshot, so it sits at the snapshot's layer."),
        ["Hermes.Identity.TurnScope"] = (4,
            "The turn scope itself (layer 4 in ARCHITECTURE.md): disposing it ends the turn through TurnScopeFactory (Turns)."),
        ["Hermes.Identity.ITurnScopeFactory"] = (4,
            "The contract that begins turns hands out TurnScope, so it sits at the turn's layer."),
    };

    // Uses that go up a layer and are meant to. Each entry is one type using one type, with the reason; an entry that
    // nothing needs any more fails the test, so the list only shrinks.
    private static readonly Dictionary<(string From, string To), string> Allowed = new()
    {
        [("Hermes.Identity.Internal.Log", "Hermes.Identity.Workspace.WorkspaceAccessReason")] =
            "A log message's parameter (WorkspaceEscapeRefused): an enum value formatted into the message; no workspace code runs.",
    };

    private const string AbstractionsName = "Hermes.Identity.Abstractions";

    private static readonly Lazy<TypeReferenceGraph> Core = new(() => TypeReferenceGraph.Read(typeof(AgentProfile).Assembly.Location, AbstractionsPath));

    private static string AbstractionsPath => typeof(PolicyDecision).Assembly.Location;

    [Fact]
    public void Every_namespace_of_the_core_has_a_layer()
    {
        var unmapped = Core.Value.Types
            .Where(t => !NamespaceLayers.ContainsKey(t.Value))
            .Select(t => $"{t.Key} is in namespace '{t.Value}', which has no layer: add it to {nameof(NamespaceLayers)}")
            .ToList();
        Assert.True(unmapped.Count == 0, string.Join(Environment.NewLine, unmapped));
    }

    [Fact]
    public void No_type_of_the_core_uses_a_type_of_a_higher_layer()
    {
        var violations = Core.Value.References
            .Where(r => r.ToNamespace != Internal || r.FromNamespace == Internal)
            .Where(r => !Allowed.ContainsKey((r.From, r.To)))
            .GroupBy(r => (r.From, r.To))
            .Select(g => (Edge: g.First(), Vias: g.Select(r => r.Via).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .Where(e => LayerOf(e.Edge.From, e.Edge.FromNamespace) < LayerOf(e.Edge.To, e.Edge.ToNamespace))
            .Select(e => $"{e.Edge.From} (layer {LayerOf(e.Edge.From, e.Edge.FromNamespace)}) uses {e.Edge.To} (layer {LayerOf(e.Edge.To, e.Edge.ToNamespace)}): {string.Join(", ", e.Vias)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(violations.Count == 0, "Upward references (ARCHITECTURE.md, \"Layers\"):" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Every_exception_to_the_layers_is_still_needed()
    {
        var used = Core.Value.References.Select(r => (r.From, r.To)).ToHashSet();
        var stale = Allowed.Keys.Where(k => !used.Contains(k)).Select(k => $"{k.From} no longer uses {k.To}: remove the entry from {nameof(Allowed)}")
            .Concat(TypeLayers.Keys.Where(t => !Core.Value.Types.ContainsKey(t)).Select(t => $"{t} no longer exists: remove it from {nameof(TypeLayers)}"))
            .ToList();
        Assert.True(stale.Count == 0, string.Join(Environment.NewLine, stale));
    }

    // The check is only as good as what the reader sees: one use through each path it decodes.
    [Theory]
    [InlineData("Hermes.Identity.TurnContext", "Hermes.Identity.AmbientTurn")]                                           // a call in a method body
    [InlineData("Microsoft.Extensions.DependencyInjection.HermesIsolationServiceCollectionExtensions", "Hermes.Identity.Turns.TurnScopeFactory")]          // newobj inside a lambda
    [InlineData("Hermes.Identity.Prompt.IdentityPrompt", "Hermes.Identity.Memory.IMemoryStore")]                         // inside an async method (its state machine)
    [InlineData("Microsoft.Extensions.DependencyInjection.PolicyBuilderExtensions", "Hermes.Identity.IPolicyBackend")]   // a generic constraint
    [InlineData("Hermes.Identity.Configuration.YamlIdentitySnapshotProvider", "Hermes.Identity.IIdentitySnapshotProvider")] // an interface
    [InlineData("Hermes.Identity.Policy.PolicyEngine", "Hermes.Identity.Audit.DecisionLog")]                             // a field and a constructor parameter
    [InlineData("Hermes.Identity.Memory.MemoryStore", "Hermes.Identity.Memory.MemorySnapshot")]                          // across the assemblies: an Abstractions type's internal constructor
    [InlineData("Hermes.Identity.Memory.MemorySnapshot", "Hermes.Identity.Memory.MemoryEntries")]                        // inside Abstractions
    public void The_reader_sees_the_use(string from, string to) =>
        Assert.Contains(Core.Value.References, r => r.From == from && r.To == to);

    [Fact]
    public void Only_tests_and_benchmarks_see_the_internals_of_a_shipping_package()
    {
        foreach (var name in new[] { "Hermes.Identity", "Hermes.Identity.Sqlite", "Hermes.Identity.AI" })
        {
            var friends = InternalsVisibleTo(PackagePath(name));
            Assert.All(friends, f => Assert.True(
                IsTestOrBenchmark(f),
                $"{name} makes its internals visible to {f}, which is not a test or benchmark assembly: packages use one another's public API only."));
        }

        Assert.Contains("Hermes.Identity.Tests", InternalsVisibleTo(PackagePath("Hermes.Identity"))); // the check reads the attributes at all
    }

    // The one exception between shipping packages: Abstractions is the core split for dependency reasons, and the
    // values only the library creates (an approval request, a memory snapshot, a delegation) keep internal constructors.
    [Fact]
    public void Abstractions_shows_its_internals_to_Hermes_Identity_alone()
    {
        var friends = InternalsVisibleTo(AbstractionsPath);
        Assert.Contains("Hermes.Identity", friends);
        Assert.All(friends.Where(f => f != "Hermes.Identity"), f => Assert.True(
            IsTestOrBenchmark(f),
            $"{AbstractionsName} makes its internals visible to {f}: only Hermes.Identity (one product split for dependency reasons) and tests or benchmarks may see them."));
    }

    // A store or backend author references Abstractions alone and gets nothing else: no Hermes.Identity (it could not
    // be: Hermes.Identity references Abstractions), no YamlDotNet, no Microsoft.Extensions.*; .NET only.
    [Fact]
    public void Abstractions_references_nothing_but_dotnet()
    {
        using var pe = new PEReader(File.OpenRead(AbstractionsPath));
        var reader = pe.GetMetadataReader();
        var references = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(
            r is "System.Runtime" or "netstandard" || r.StartsWith("System.", StringComparison.Ordinal),
            $"{AbstractionsName} references {r}: it holds contracts and values on .NET alone, so an author referencing it gets no other dependency."));
        Assert.DoesNotContain("Hermes.Identity", references);
    }

    [Theory]
    [InlineData("Hermes.Identity.Sqlite")]
    [InlineData("Hermes.Identity.AI")]
    [InlineData("CustomPolicyBackend")]
    public void A_package_uses_only_the_public_API_of_the_abstractions(string package)
    {
        var uses = CoreUses(PackagePath(package), AbstractionsPath);
        Assert.NotEmpty(uses.Types);
        Assert.True(uses.NotPublic.Count == 0, $"{package} uses what {AbstractionsName} does not make public:{Environment.NewLine}{string.Join(Environment.NewLine, uses.NotPublic)}");
    }

    private static bool IsTestOrBenchmark(string assembly) =>
        assembly.EndsWith(".Tests", StringComparison.Ordinal) || assembly.EndsWith(".Benchmarks", StringComparison.Ordinal);

    [Theory]
    [InlineData("Hermes.Identity.Sqlite")]
    [InlineData("Hermes.Identity.AI")]
    public void A_package_uses_only_the_public_API_of_the_core(string package)
    {
        var uses = CoreUses(PackagePath(package), typeof(AgentProfile).Assembly.Location);
        Assert.NotEmpty(uses.Types);
        Assert.True(uses.NotPublic.Count == 0, $"{package} uses what the core does not make public:{Environment.NewLine}{string.Join(Environment.NewLine, uses.NotPublic)}");
    }

    private static int LayerOf(string type, string ns) => TypeLayers.TryGetValue(type, out var entry) ? entry.Layer : NamespaceLayers[ns];

    private static string PackagePath(string assemblyName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: the test project references the package to have it built and copied here.");
        return path;
    }

    private static List<string> InternalsVisibleTo(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        var friends = new List<string>();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference
                && reader.GetTypeReference((TypeReferenceHandle)parent) is var type
                && reader.StringComparer.Equals(type.Name, "InternalsVisibleToAttribute")
                && reader.StringComparer.Equals(type.Namespace, "System.Runtime.CompilerServices"))
            {
                var value = reader.GetBlobReader(attribute.Value);
                value.ReadUInt16(); // prolog
                friends.Add(value.ReadSerializedString()!.Split(',')[0].Trim());
            }
        }

        return friends;
    }

    // The core's types and members a package's metadata refers to, and those of them the core does not make public.
    // A member is found by name and signature (public and internal overloads of one name exist, TryGetProfile say);
    // one the core's types do not declare at all is inherited from outside the core (an exception's Message).
    private static (List<string> Types, List<string> NotPublic) CoreUses(string packagePath, string corePath)
    {
        using var packagePe = new PEReader(File.OpenRead(packagePath));
        using var corePe = new PEReader(File.OpenRead(corePath));
        var package = packagePe.GetMetadataReader();
        var core = corePe.GetMetadataReader();
        var coreName = core.GetString(core.GetAssemblyDefinition().Name);

        var coreTypes = new Dictionary<string, TypeDefinitionHandle>(StringComparer.Ordinal);
        foreach (var handle in core.TypeDefinitions)
        {
            coreTypes[FullName(core, handle)] = handle;
        }

        var types = new List<string>();
        var notPublic = new List<string>();
        var resolved = new Dictionary<TypeReferenceHandle, TypeDefinitionHandle>();
        foreach (var handle in package.TypeReferences)
        {
            if (!IsFrom(package, handle, coreName))
            {
                continue;
            }

            var name = FullName(package, handle);
            types.Add(name);
            if (!coreTypes.TryGetValue(name, out var definition))
            {
                notPublic.Add($"{name}: not a type of the core");
                continue;
            }

            resolved[handle] = definition;
            if (!IsVisible(core, definition))
            {
                notPublic.Add($"{name}: the type is not public");
            }
        }

        foreach (var handle in package.MemberReferences)
        {
            var member = package.GetMemberReference(handle);
            var parent = member.Parent;
            if (parent.Kind == HandleKind.TypeSpecification)
            {
                // A generic instantiation of a core type: its generic type definition comes first in the signature.
                var spec = package.GetBlobReader(package.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                if (spec.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
                {
                    continue;
                }

                spec.ReadCompressedInteger(); // class or value type
                parent = spec.ReadTypeHandle();
            }

            if (parent.Kind != HandleKind.TypeReference || !resolved.TryGetValue((TypeReferenceHandle)parent, out var definition))
            {
                continue;
            }

            var name = package.GetString(member.Name);
            var signature = member.GetKind() == MemberReferenceKind.Field
                ? member.DecodeFieldSignature(SignatureNames.Instance, null)
                : SignatureNames.Describe(member.DecodeMethodSignature(SignatureNames.Instance, null));
            var problem = FindMember(core, definition, name, signature);
            if (problem is not null)
            {
                notPublic.Add($"{FullName(core, definition)}.{name} {signature}: {problem}");
            }
        }

        return (types, notPublic);
    }

    // Null when the member is public or protected, or is not declared by the core's types at all (then it is inherited
    // from a base type outside the core); otherwise what is wrong.
    private static string? FindMember(MetadataReader core, TypeDefinitionHandle handle, string name, string signature)
    {
        var namedLikeIt = false;
        for (var current = handle; !current.IsNil;)
        {
            var type = core.GetTypeDefinition(current);
            foreach (var method in type.GetMethods().Select(core.GetMethodDefinition).Where(m => core.StringComparer.Equals(m.Name, name)))
            {
                namedLikeIt = true;
                if (SignatureNames.Describe(method.DecodeSignature(SignatureNames.Instance, null)) == signature)
                {
                    return (method.Attributes & MethodAttributes.MemberAccessMask) is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem
                        ? null
                        : "the method is not public";
                }
            }

            foreach (var field in type.GetFields().Select(core.GetFieldDefinition).Where(f => core.StringComparer.Equals(f.Name, name)))
            {
                namedLikeIt = true;
                if (field.DecodeSignature(SignatureNames.Instance, null) == signature)
                {
                    return (field.Attributes & FieldAttributes.FieldAccessMask) is FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem
                        ? null
                        : "the field is not public";
                }
            }

            current = type.BaseType.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)type.BaseType : default;
        }

        return namedLikeIt ? "no member of the core has that name and signature" : null;
    }

    private static bool IsFrom(MetadataReader reader, TypeReferenceHandle handle, string assemblyName)
    {
        var scope = reader.GetTypeReference(handle).ResolutionScope;
        while (scope.Kind == HandleKind.TypeReference)
        {
            scope = reader.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
        }

        return scope.Kind == HandleKind.AssemblyReference
            && reader.StringComparer.Equals(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name, assemblyName);
    }

    private static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? FullName(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : Qualified(reader.GetString(type.Namespace), name);
    }

    private static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var outer = type.GetDeclaringType();
        return outer.IsNil ? Qualified(reader.GetString(type.Namespace), name) : FullName(reader, outer) + "+" + name;
    }

    private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    private static bool IsVisible(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        var outer = type.GetDeclaringType();
        return outer.IsNil
            ? visibility == TypeAttributes.Public
            : visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem && IsVisible(reader, outer);
    }

    // Writes a signature as text with namespace-qualified type names, so the package's reference and the core's
    // definition of one member read the same although each assembly numbers its types its own way.
    private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
    {
        public static readonly SignatureNames Instance = new();

        public static string Describe(MethodSignature<string> signature) =>
            $"{(signature.Header.IsInstance ? "instance " : "")}{signature.ReturnType} <{signature.GenericParameterCount}>({string.Join(", ", signature.ParameterTypes)})";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => FullName(reader, handle);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => FullName(reader, handle);

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPinnedType(string elementType) => elementType;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => $"{unmodifiedType} {(isRequired ? "modreq" : "modopt")}({modifier})";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(", ", typeArguments) + ">";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "method " + Describe(signature);

        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
    }
}
