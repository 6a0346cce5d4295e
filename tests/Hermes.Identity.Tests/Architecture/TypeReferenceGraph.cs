using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Hermes.Identity.Tests.Architecture;

/// <summary>One use of a type by another among the assemblies read, both named by their top-level type.</summary>
internal readonly record struct TypeReference(string From, string FromNamespace, string To, string ToNamespace, string Via);

/// <summary>
/// Reads built assemblies' metadata (no loading, no reflection over runtime types) and lists, for every type they
/// define, the types of the same assemblies that it uses (in its own assembly, or in another of those read, such as
/// Hermes.Identity.Abstractions' types used by Hermes.Identity): base type, interfaces, generic constraints, field, property,
/// event and method signatures, custom attributes, explicit interface implementations, locals, catch clauses and every
/// token in the IL of its method bodies. Nested and compiler-generated types (closures, state machines, <c>&lt;&gt;c</c>)
/// count as their top-level type, so a lambda's references are its enclosing type's.
/// </summary>
internal sealed class TypeReferenceGraph
{
    private static readonly OperandType?[] OneByte = new OperandType?[256];
    private static readonly OperandType?[] TwoByte = new OperandType?[256];

    private readonly HashSet<TypeReference> _references = [];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assemblies;
    private MetadataReader _reader = null!;

    static TypeReferenceGraph()
    {
        // The opcode table from the runtime itself, so the IL walk knows every operand's size.
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            var value = unchecked((ushort)opCode.Value);
            if (opCode.Size == 1)
            {
                OneByte[value] = opCode.OperandType;
            }
            else
            {
                TwoByte[value & 0xFF] = opCode.OperandType;
            }
        }
    }

    private TypeReferenceGraph(IEnumerable<string> assemblies) => _assemblies = new HashSet<string>(assemblies, StringComparer.Ordinal);

    /// <summary>Every top-level type the assemblies define, by full name, with its namespace.</summary>
    public IReadOnlyDictionary<string, string> Types => _types;

    /// <summary>Every use of one of the assemblies' types by another of their types (self-uses left out).</summary>
    public IReadOnlyCollection<TypeReference> References => _references;

    public static TypeReferenceGraph Read(params string[] assemblyPaths)
    {
        var graph = new TypeReferenceGraph(assemblyPaths.Select(p => AssemblyName.GetAssemblyName(p).Name!));
        foreach (var path in assemblyPaths)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            graph._reader = pe.GetMetadataReader();
            graph.ReadAll(pe);
        }

        return graph;
    }

    private void ReadAll(PEReader pe)
    {
        foreach (var handle in _reader.TypeDefinitions)
        {
            var (name, ns) = TopLevel(handle);
            if (name != "<Module>")
            {
                _types[name] = ns;
            }
        }

        foreach (var handle in _reader.TypeDefinitions)
        {
            ReadType(pe, handle);
        }
    }

    private void ReadType(PEReader pe, TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        var from = handle;
        Add(from, type.BaseType, "base type");
        foreach (var i in type.GetInterfaceImplementations())
        {
            Add(from, _reader.GetInterfaceImplementation(i).Interface, "interface");
        }

        AddGenericParameters(from, type.GetGenericParameters());
        AddAttributes(from, type.GetCustomAttributes());
        foreach (var f in type.GetFields())
        {
            var field = _reader.GetFieldDefinition(f);
            AddAll(from, field.DecodeSignature(Collector.Instance, null), "field " + _reader.GetString(field.Name));
            AddAttributes(from, field.GetCustomAttributes());
        }

        foreach (var p in type.GetProperties())
        {
            var property = _reader.GetPropertyDefinition(p);
            var signature = property.DecodeSignature(Collector.Instance, null);
            AddAll(from, signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)), "property " + _reader.GetString(property.Name));
            AddAttributes(from, property.GetCustomAttributes());
        }

        foreach (var e in type.GetEvents())
        {
            var ev = _reader.GetEventDefinition(e);
            Add(from, ev.Type, "event " + _reader.GetString(ev.Name));
            AddAttributes(from, ev.GetCustomAttributes());
        }

        foreach (var m in type.GetMethodImplementations())
        {
            Add(from, _reader.GetMethodImplementation(m).MethodDeclaration, "explicit implementation");
        }

        foreach (var m in type.GetMethods())
        {
            ReadMethod(pe, from, m);
        }
    }

    private void ReadMethod(PEReader pe, TypeDefinitionHandle from, MethodDefinitionHandle handle)
    {
        var method = _reader.GetMethodDefinition(handle);
        var via = "method " + _reader.GetString(method.Name);
        var signature = method.DecodeSignature(Collector.Instance, null);
        AddAll(from, signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)), via + " signature");
        AddGenericParameters(from, method.GetGenericParameters());
        AddAttributes(from, method.GetCustomAttributes());
        foreach (var p in method.GetParameters())
        {
            AddAttributes(from, _reader.GetParameter(p).GetCustomAttributes());
        }

        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            var locals = _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(Collector.Instance, null);
            AddAll(from, locals.SelectMany(t => t), via + " locals");
        }

        foreach (var region in body.ExceptionRegions)
        {
            Add(from, region.CatchType, via + " catch");
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var first = il.ReadByte();
            var operand = first == 0xFE ? TwoByte[il.ReadByte()] : OneByte[first];
            switch (operand)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                case OperandType.InlineSig:
                    Add(from, MetadataTokens.EntityHandle(il.ReadInt32()), via + " body");
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.ReadByte();
                    break;
                case OperandType.InlineVar:
                    il.ReadInt16();
                    break;
                case OperandType.InlineBrTarget:
                case OperandType.InlineI:
                case OperandType.InlineString:
                case OperandType.ShortInlineR:
                    il.ReadInt32();
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    var count = il.ReadInt32();
                    il.Offset += count * 4;
                    break;
                default:
                    throw new BadImageFormatException($"Unknown opcode 0x{first:X2} in {via} of {TopLevel(from).Name} at IL offset {il.Offset - 1}.");
            }
        }
    }

    private void AddGenericParameters(TypeDefinitionHandle from, GenericParameterHandleCollection parameters)
    {
        foreach (var p in parameters)
        {
            var parameter = _reader.GetGenericParameter(p);
            AddAttributes(from, parameter.GetCustomAttributes());
            foreach (var c in parameter.GetConstraints())
            {
                Add(from, _reader.GetGenericParameterConstraint(c).Type, "generic constraint");
            }
        }
    }

    private void AddAttributes(TypeDefinitionHandle from, CustomAttributeHandleCollection attributes)
    {
        foreach (var a in attributes)
        {
            // The attribute's constructor names its type. Type-valued arguments (typeof(X) in an attribute) are stored
            // as names, not tokens, and are not read: the compiler's own ([AsyncStateMachine], [IteratorStateMachine])
            // name a nested type of the type itself.
            Add(from, _reader.GetCustomAttribute(a).Constructor, "attribute");
        }
    }

    private void AddAll(TypeDefinitionHandle from, IEnumerable<EntityHandle> targets, string via)
    {
        foreach (var target in targets)
        {
            Record(from, target, via);
        }
    }

    // Any token an IL instruction or a table can hold: follow it to the type definitions it names.
    private void Add(TypeDefinitionHandle from, EntityHandle handle, string via)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                Record(from, (TypeDefinitionHandle)handle, via);
                break;
            case HandleKind.TypeSpecification:
                AddAll(from, _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(Collector.Instance, null), via);
                break;
            case HandleKind.TypeReference:
                Record(from, (TypeReferenceHandle)handle, via);
                break;
            case HandleKind.FieldDefinition:
                Record(from, _reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), via);
                break;
            case HandleKind.MethodDefinition:
                Record(from, _reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), via);
                break;
            case HandleKind.MemberReference:
                var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                Add(from, member.Parent, via);
                if (member.GetKind() == MemberReferenceKind.Field)
                {
                    AddAll(from, member.DecodeFieldSignature(Collector.Instance, null), via);
                }
                else
                {
                    var signature = member.DecodeMethodSignature(Collector.Instance, null);
                    AddAll(from, signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)), via);
                }

                break;
            case HandleKind.MethodSpecification:
                var spec = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                Add(from, spec.Method, via);
                AddAll(from, spec.DecodeSignature(Collector.Instance, null).SelectMany(t => t), via);
                break;
            case HandleKind.StandaloneSignature:
                var standalone = _reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (standalone.GetKind() == StandaloneSignatureKind.Method)
                {
                    var calli = standalone.DecodeMethodSignature(Collector.Instance, null);
                    AddAll(from, calli.ReturnType.Concat(calli.ParameterTypes.SelectMany(t => t)), via);
                }

                break;
            case HandleKind.ModuleReference:
                break; // a native module: not a layer
            default:
                throw new BadImageFormatException($"Unexpected {handle.Kind} token in {via} of {TopLevel(from).Name}.");
        }
    }

    private void Record(TypeDefinitionHandle from, EntityHandle to, string via)
    {
        var target = to.Kind == HandleKind.TypeDefinition ? TopLevel((TypeDefinitionHandle)to) : TopLevel((TypeReferenceHandle)to);
        var source = TopLevel(from);
        if (target is { } t && source.Name != t.Name && t.Name != "<Module>")
        {
            _references.Add(new TypeReference(source.Name, source.Namespace, t.Name, t.Namespace, via));
        }
    }

    // Another assembly's type, by its top-level type: only when that assembly is one of those read (the BCL's and the
    // packages' types are not a layer of these).
    private (string Name, string Namespace)? TopLevel(TypeReferenceHandle handle)
    {
        var type = _reader.GetTypeReference(handle);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            type = _reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
        }

        if (type.ResolutionScope.Kind != HandleKind.AssemblyReference
            || !_assemblies.Contains(_reader.GetString(_reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name)))
        {
            return null;
        }

        var ns = _reader.GetString(type.Namespace);
        var name = _reader.GetString(type.Name);
        return (ns.Length == 0 ? name : ns + "." + name, ns);
    }

    private (string Name, string Namespace) TopLevel(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = _reader.GetTypeDefinition(outer);
        }

        var ns = _reader.GetString(type.Namespace);
        var name = _reader.GetString(type.Name);
        return (ns.Length == 0 ? name : ns + "." + name, ns);
    }

    // Decodes a signature into the types it mentions, defined here or referenced (primitives and generic parameters
    // mention none); Record keeps those of the assemblies read.
    private sealed class Collector : ISignatureTypeProvider<ImmutableArray<EntityHandle>, object?>
    {
        public static readonly Collector Instance = new();

        private static ImmutableArray<EntityHandle> None => [];

        public ImmutableArray<EntityHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;

        public ImmutableArray<EntityHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<EntityHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<EntityHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<EntityHandle> GetSZArrayType(ImmutableArray<EntityHandle> elementType) => elementType;

        public ImmutableArray<EntityHandle> GetArrayType(ImmutableArray<EntityHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<EntityHandle> GetByReferenceType(ImmutableArray<EntityHandle> elementType) => elementType;

        public ImmutableArray<EntityHandle> GetPointerType(ImmutableArray<EntityHandle> elementType) => elementType;

        public ImmutableArray<EntityHandle> GetPinnedType(ImmutableArray<EntityHandle> elementType) => elementType;

        public ImmutableArray<EntityHandle> GetModifiedType(ImmutableArray<EntityHandle> modifier, ImmutableArray<EntityHandle> unmodifiedType, bool isRequired) =>
            modifier.AddRange(unmodifiedType);

        public ImmutableArray<EntityHandle> GetGenericInstantiation(ImmutableArray<EntityHandle> genericType, ImmutableArray<ImmutableArray<EntityHandle>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(t => t));

        public ImmutableArray<EntityHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<EntityHandle>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(t => t));

        public ImmutableArray<EntityHandle> GetGenericTypeParameter(object? genericContext, int index) => None;

        public ImmutableArray<EntityHandle> GetGenericMethodParameter(object? genericContext, int index) => None;
    }
}
