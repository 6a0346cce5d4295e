using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Workspace;

// A read-only stream over the handle the workspace opened, reading at offsets (no shared file
// position, no system calls to set it up). It refuses to return a byte past the size limit, so a
// file that grows after it was opened is still capped. A failed read is a WorkspaceAccessException.
internal sealed class WorkspaceReadStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly Func<WorkspaceAccessException> _tooLarge;
    private long _position;

    public WorkspaceReadStream(SafeFileHandle handle, string path, long maxBytes, Func<WorkspaceAccessException> tooLarge)
    {
        _handle = handle;
        _path = path;
        _maxBytes = maxBytes;
        _tooLarge = tooLarge;
    }

    public override bool CanRead => !_handle.IsClosed;

    public override bool CanSeek => !_handle.IsClosed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            try
            {
                return RandomAccess.GetLength(_handle);
            }
            catch (Exception ex) when (WorkspaceErrors.FromException(ex, _path) is { } error)
            {
                throw error;
            }
        }
    }

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The position cannot be negative.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Advance(RandomAccess.Read(_handle, Limit(buffer), _position));
        }
        catch (Exception ex) when (WorkspaceErrors.FromException(ex, _path) is { } error)
        {
            throw error;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Advance(await WorkspaceFileSystem.ReadAsync(_handle, Limit(buffer), _position, _path, cancellationToken).ConfigureAwait(false));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => Length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Use Begin, Current or End."),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }

        base.Dispose(disposing);
    }

    // Asks for at most one byte past the limit: enough to know the file went over it.
    private Span<byte> Limit(Span<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, Math.Max(0, _maxBytes + 1 - _position))];

    private Memory<byte> Limit(Memory<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, Math.Max(0, _maxBytes + 1 - _position))];

    private int Advance(int read)
    {
        if (_position + read > _maxBytes)
        {
            throw _tooLarge();
        }

        _position += read;
        return read;
    }
}
