using System.Runtime.InteropServices;

namespace Hermes.Identity.Workspace;

// struct open_how from <linux/openat2.h>, the first (24-byte) version every openat2 kernel accepts.
[StructLayout(LayoutKind.Sequential)]
internal struct OpenHow
{
    public const int Size = 24;

    public ulong Flags;
    public ulong Mode;
    public ulong Resolve;
}
