namespace Hermes.Identity.AI.Tests;

internal static class SyncDisposable
{
    // For CsCheck's synchronous properties: dispose an async resource at the end of a using block.
    public static Holder<T> AsSync<T>(this T value) where T : IAsyncDisposable => new(value);

    internal readonly struct Holder<T>(T value) : IDisposable where T : IAsyncDisposable
    {
        public T Value { get; } = value;

        public void Dispose() => Value.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
