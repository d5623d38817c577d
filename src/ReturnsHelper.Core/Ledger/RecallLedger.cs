using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace ReturnsHelper.Ledger;

/// <summary>
/// The local recall ledger of one account (API key + base URI): what this machine was told about recalls, since
/// the API has no recall lookup. An append-only file of JSON lines, one event a line, folded into
/// <see cref="LedgerState"/> when read. It never holds a credential.
///
/// Why it is safe:
/// - Durable before visible. Every append is written and flushed to the operating system before the method
///   returns, and callers append before they show anything (a created recall before it reaches the pipeline, a
///   batch's ids and idempotency key before it is sent). Killing the process afterwards cannot lose it; only a
///   power cut before the OS wrote its cache could (the file is not fsynced per line: that would cost more than
///   the recall itself on a fast network).
/// - One writer at a time, across processes. An append takes this process's monitor for the file, then a byte-range
///   lock on the lock file (LockFile on Windows, fcntl on Unix), and writes one whole line with one write, so
///   appends never interleave. Compaction (write a new file, rename it over the old one) runs under the same lock
///   and counts up a generation in the lock file; an appender whose open handle is from an older generation, or
///   whose file was deleted or replaced, reopens the ledger by path before it writes, so no append is lost.
/// - Torn lines. A process killed inside a write leaves a last line without its newline. Readers ignore a line
///   that does not parse or does not end with a newline; the next writer first ends the torn line, so it stays
///   one skipped line and never glues onto the next event.
/// - Private. The folder and file are created readable by the user only on Unix; on Windows the per-user local
///   data folder already is.
/// </summary>
internal sealed class RecallLedger
{
    private const int FormatVersion = 1;
    /// <summary>A ledger shorter than this is never worth compacting.</summary>
    public const int CompactionMinimumLines = 1000;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] NewLine = { (byte)'\n' };

    /// <summary>The ledger file.</summary>
    public string Path { get; }
    private readonly string lockPath;
    private readonly string environment;

    private RecallLedger(string path, string environment)
    {
        Path = path;
        lockPath = path + ".lock";
        this.environment = environment;
    }

    /// <summary>The per-user local data folder's ledger folder: %LOCALAPPDATA%\ReturnsHelper\ledger, ~/.local/share/ReturnsHelper/ledger.</summary>
    public static string DefaultFolder()
    {
        var baseFolder = System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData, System.Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(baseFolder))
            baseFolder = System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".local", "share");
        return System.IO.Path.Combine(baseFolder, "ReturnsHelper", "ledger");
    }

    /// <summary>
    /// The file name of an account's ledger: a SHA-256 of the key and base URI (so the file name reveals neither),
    /// readable enough to tell environments apart.
    /// </summary>
    public static string FileNameFor(string apiKey, Uri baseUri)
    {
        using (var sha = SHA256.Create())
        {
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(apiKey + "\n" + baseUri.AbsoluteUri.TrimEnd('/').ToLowerInvariant()));
            return "recalls-" + string.Concat(hash.Take(12).Select(b => b.ToString("x2"))) + ".jsonl";
        }
    }

    /// <summary>Opens (creating the folder privately if needed) the ledger <paramref name="fileName"/> in <paramref name="folder"/>.</summary>
    public static RecallLedger Open(string folder, string fileName, string environment)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("The ledger folder is empty.");
        var full = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            Directory.CreateDirectory(full);
            UnixPermissions.Restrict(full, directory: true);
        }
        var ledger = new RecallLedger(System.IO.Path.Combine(full, fileName), environment);
        if (!File.Exists(ledger.Path))
        {
            using (new FileStream(ledger.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { }
            UnixPermissions.Restrict(ledger.Path, directory: false);
        }
        return ledger;
    }

    // ---- Events ----

    /// <summary>
    /// Write-ahead: a create batch is about to be sent with this idempotency key. A batch of another
    /// <paramref name="operation"/> than a recall (null) keeps its exact <paramref name="request"/> body, to be
    /// resent unchanged.
    /// </summary>
    public void BatchPending(string idempotencyKey, IReadOnlyList<long> ids, string operation = null, string request = null)
        => Append(w => WritePending(w, idempotencyKey, ids, operation, request, null));

    private static void WritePending(Utf8JsonWriter w, string idempotencyKey, IEnumerable<long> ids, string operation, string request, DateTime? at)
    {
        Header(w, "pending", at);
        w.WriteString("key", idempotencyKey);
        WriteIds(w, "ids", ids);
        if (operation != null) w.WriteString("op", operation);
        if (request != null) w.WriteString("request", request);
    }

    /// <summary>
    /// What a batch of another operation than a recall made (closes the batch with <paramref name="idempotencyKey"/>,
    /// when given), or that it was cancelled: see <see cref="LedgerRecord"/>.
    /// </summary>
    public void Recorded(LedgerRecord record, string idempotencyKey = null)
        => Append(w => WriteRecord(w, record, idempotencyKey, null));

    private static void WriteRecord(Utf8JsonWriter w, LedgerRecord record, string idempotencyKey, DateTime? at)
    {
        Header(w, "record", at);
        if (idempotencyKey != null) w.WriteString("key", idempotencyKey);
        w.WriteString("op", record.Operation);
        w.WriteNumber("id", record.Id);
        String(w, "number", record.Number);
        WriteIds(w, "ids", record.ReturnInventoryId ?? new long[0]);
        if (record.Cancelled) w.WriteBoolean("cancelled", true);
    }

    /// <summary>The service created these recalls for the batch with this key (closes the batch).</summary>
    public void RecallsCreated(string idempotencyKey, IReadOnlyList<Recall> recalls)
        => Append(w =>
        {
            Header(w, "created");
            w.WriteString("key", idempotencyKey);
            WriteRecalls(w, recalls);
        });

    /// <summary>The service refused the batch with this key (closes it): these ids were rejected, the rest are resubmitted under a new key.</summary>
    public void BatchRejected(string idempotencyKey, IReadOnlyList<long> rejectedIds, string reason)
        => Append(w =>
        {
            Header(w, "rejected");
            w.WriteString("key", idempotencyKey);
            WriteIds(w, "ids", rejectedIds);
            w.WriteString("reason", Shorten(reason));
        });

    /// <summary>Recalls as the service now describes them after a cancel (source "cancel") or a partial removal ("remove").</summary>
    public void RecallsChanged(IReadOnlyList<Recall> recalls, string source)
        => Append(w =>
        {
            Header(w, "changed");
            w.WriteString("source", source);
            WriteRecalls(w, recalls);
        });

    /// <summary>A recallUpdateStatus webhook: the recall's status and its inventories' tracking as of <paramref name="eventTime"/>.</summary>
    public void StatusReported(Recall recall, DateTimeOffset? eventTime, string updateType)
        => Append(w =>
        {
            Header(w, "status");
            w.WriteString("source", "webhook");
            if (eventTime.HasValue) w.WriteString("eventTime", eventTime.Value.UtcDateTime);
            if (updateType != null) w.WriteString("updateType", Shorten(updateType));
            WriteRecalls(w, new[] { recall });
        });

    // ---- Reading ----

    /// <summary>Reads the whole ledger into its current state; damaged lines are skipped and counted.</summary>
    public LedgerState Read()
    {
        var state = new LedgerState(environment);
        using (var stream = OpenForReading())
        {
            if (stream == null) return state;
            var chunk = new List<byte[]>(ReadChunk);
            foreach (var line in Lines(stream))
            {
                chunk.Add(line.ToArray());
                if (chunk.Count == ReadChunk) ApplyChunk(state, chunk);
            }
            ApplyChunk(state, chunk);
        }
        return state;
    }

    private const int ReadChunk = 4096;

    /// <summary>Parses a chunk of lines in parallel (lines are independent), then applies them in file order.</summary>
    private void ApplyChunk(LedgerState state, List<byte[]> chunk)
    {
        var events = new LedgerState.Event[chunk.Count];
        System.Threading.Tasks.Parallel.For(0, chunk.Count, i =>
        {
            try { events[i] = LedgerState.Parse(chunk[i], environment); }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is FormatException || e is ArgumentException || e is OverflowException)
            {
                events[i] = null; // damaged: counted below
            }
        });
        foreach (var e in events)
        {
            state.Lines++;
            if (e == null) state.DamagedLines++;
            else state.Apply(e);
        }
        chunk.Clear();
    }

    /// <summary>
    /// Rewrites the ledger as its current state (one line per recall and per pending batch) when superseded lines
    /// are the majority, so the file stays proportional to what it knows. Under the append lock; a no-op otherwise.
    /// </summary>
    public bool CompactIfWorthIt(int minimumLines = CompactionMinimumLines)
    {
        return UnderLock(shared =>
        {
            var state = Read();
            var live = state.Recalls.Count + state.AllPending.Count + state.Records.Count;
            if (state.Lines < minimumLines || state.Lines < 2 * live) return false;
            var temporary = Path + ".compact";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                UnixPermissions.Restrict(temporary, directory: false); // before any content is written
                foreach (var recall in state.Recalls)
                    WriteLine(stream, w =>
                    {
                        Header(w, "recall", recall.LedgerUpdatedOn?.UtcDateTime);
                        w.WriteString("source", recall.LedgerSource ?? "create");
                        var statusTime = state.StatusTimeOf(recall.RecallId);
                        if (statusTime.HasValue) w.WriteString("statusTime", statusTime.Value); // a replayed older webhook stays ignored
                        WriteRecalls(w, new[] { recall });
                    });
                foreach (var pending in state.AllPending)
                    WriteLine(stream, w => WritePending(w, pending.IdempotencyKey, pending.ReturnInventoryId, pending.Operation, pending.Request, pending.Since.UtcDateTime));
                foreach (var record in state.Records)
                    WriteLine(stream, w => WriteRecord(w, record, null, record.LedgerUpdatedOn?.UtcDateTime));
                stream.Flush(true);
            }
            shared.CloseLedger(); // it is the old file now
            File.Replace(temporary, Path, null);
            shared.NextGeneration(); // other processes' handles are on the old file too: they reopen on their next append
            return true;
        });
    }

    // ---- File plumbing ----

    private void Append(Action<Utf8JsonWriter> members)
    {
        var line = Serialize(members);
        UnderLock(shared =>
        {
            var stream = shared.Ledger(Path);
            var length = stream.Length;
            if (length > 0 && length != shared.LengthAfterOwnWrite)
            {
                // Someone else wrote last: a torn last line (a writer killed mid-write) is ended first, so it stays one skipped line.
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n') stream.Write(NewLine, 0, 1);
            }
            stream.Seek(0, SeekOrigin.End);
            stream.Write(line, 0, line.Length);
            stream.Flush();
            shared.LengthAfterOwnWrite = stream.Position;
            return true;
        });
    }

    /// <summary>
    /// Runs <paramref name="action"/> as the only writer of this ledger: first this process's monitor for the file
    /// (threads of one process wait there, without retries), then the byte-range lock on the lock file, which other
    /// processes respect. The lock file and the ledger stay open between appends (opening them costs more than
    /// the append); see <see cref="SharedFile"/> for when they are reopened.
    /// </summary>
    private T UnderLock<T>(Func<SharedFile, T> action)
    {
        var shared = SharedFiles.GetOrAdd(Path, _ => new SharedFile(lockPath));
        lock (shared)
        {
            var handle = shared.LockHandle();
            var watch = Stopwatch.StartNew();
            for (var pause = 1; ; pause = Math.Min(pause * 2, 10))
            {
                try
                {
                    handle.Lock(0, 1);
                    break;
                }
                catch (IOException) when (watch.Elapsed < LockTimeout)
                {
                    Thread.Sleep(pause); // held by another process: short pauses, so no writer is starved for long
                }
                catch (IOException e)
                {
                    throw new IOException($"The recall ledger {Path} has been locked by another process for {LockTimeout.TotalSeconds:0} s ({e.Message}).", e);
                }
            }
            try { return action(shared); }
            finally
            {
                try { handle.Unlock(0, 1); }
                catch (IOException) { /* closing the handle releases it too */ }
            }
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SharedFile> SharedFiles =
        new System.Collections.Concurrent.ConcurrentDictionary<string, SharedFile>(StringComparer.Ordinal);

    /// <summary>
    /// This process's handles on one ledger, shared by every session on it and used only under its monitor and the
    /// file lock. The ledger handle is reopened when the file it points to is no longer the ledger: compaction
    /// (in any process) counts a generation up in the lock file; a deleted or recreated file shows as a missing
    /// path or a length other than the handle's. The lock file is reopened when it was deleted with its folder.
    /// </summary>
    private sealed class SharedFile
    {
        private readonly string lockPath;
        private FileStream lockHandle;
        private FileStream ledger;
        private long ledgerGeneration;

        public SharedFile(string lockPath) => this.lockPath = lockPath;

        /// <summary>The ledger's length right after this process's last append (its last byte is then a newline).</summary>
        public long LengthAfterOwnWrite = -1;

        public FileStream LockHandle()
        {
            if (lockHandle != null && !lockFileMissing) return lockHandle;
            lockFileMissing = false;
            lockHandle?.Dispose();
            var folder = System.IO.Path.GetDirectoryName(lockPath);
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder); // deleted under us (a clean-up): recreated privately
                UnixPermissions.Restrict(folder, directory: true);
            }
            lockHandle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
            if (lockHandle.Length < 16) { lockHandle.SetLength(16); UnixPermissions.Restrict(lockPath, directory: false); }
            return lockHandle;
        }

        private bool lockFileMissing;

        public FileStream Ledger(string path)
        {
            var generation = Generation();
            var onDisk = new FileInfo(path); // one stat: is the file at the path still the one this handle writes?
            if (ledger != null && ledgerGeneration == generation && onDisk.Exists && onDisk.Length == ledger.Length) return ledger;
            if (!onDisk.Exists && !File.Exists(lockPath))
            {
                // The folder (or the lock file) was deleted under us: recreate it privately; the next append reopens the lock file too.
                lockFileMissing = true;
                if (!Directory.Exists(onDisk.DirectoryName))
                {
                    Directory.CreateDirectory(onDisk.DirectoryName);
                    UnixPermissions.Restrict(onDisk.DirectoryName, directory: true);
                }
            }
            CloseLedger();
            LengthAfterOwnWrite = -1;
            ledger = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
            if (ledger.Length == 0) UnixPermissions.Restrict(path, directory: false); // created (again) just now
            ledgerGeneration = generation;
            return ledger;
        }

        public void CloseLedger()
        {
            ledger?.Dispose();
            ledger = null;
        }

        private long Generation()
        {
            var bytes = new byte[8];
            lockHandle.Seek(8, SeekOrigin.Begin);
            return lockHandle.Read(bytes, 0, 8) == 8 ? BitConverter.ToInt64(bytes, 0) : 0;
        }

        public void NextGeneration()
        {
            var bytes = BitConverter.GetBytes(Generation() + 1);
            lockHandle.Seek(8, SeekOrigin.Begin);
            lockHandle.Write(bytes, 0, 8);
            lockHandle.Flush();
        }
    }

    private static void WriteLine(Stream stream, Action<Utf8JsonWriter> members)
    {
        var line = Serialize(members);
        stream.Write(line, 0, line.Length);
    }

    private static byte[] Serialize(Action<Utf8JsonWriter> members)
    {
        using (var buffer = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                members(writer);
                writer.WriteEndObject();
            }
            buffer.Write(NewLine, 0, 1);
            return buffer.ToArray();
        }
    }

    private FileStream OpenForReading()
    {
        try { return new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>Complete lines (ending with a newline) as byte arrays; a last line without one is being written or torn.</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Lines(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) yield break;
            var atFileStart = stream.Position == read;
            filled += read;
            var start = 0;
            // A byte-order mark (the file saved by an editor) is not part of the first event.
            if (atFileStart && filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3;
            for (int i; (i = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0; start = i + 1)
                if (i > start) yield return new ReadOnlyMemory<byte>(buffer, start, i - start); // used before the next line is read
            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }
    }

    private static void Header(Utf8JsonWriter w, string kind, DateTime? at = null)
    {
        w.WriteNumber("v", FormatVersion);
        w.WriteString("e", kind);
        w.WriteString("at", (at ?? DateTime.UtcNow).ToUniversalTime());
    }

    private static void WriteIds(Utf8JsonWriter w, string name, IEnumerable<long> ids)
    {
        w.WriteStartArray(name);
        foreach (var id in ids) w.WriteNumberValue(id);
        w.WriteEndArray();
    }

    /// <summary>Recalls in the service's own wire shape, so <see cref="Recall.Parse"/> reads them back.</summary>
    private static void WriteRecalls(Utf8JsonWriter w, IEnumerable<Recall> recalls)
    {
        w.WriteStartArray("recalls");
        foreach (var r in recalls)
        {
            w.WriteStartObject();
            w.WriteNumber("recallId", r.RecallId);
            String(w, "recallNumber", r.RecallNumber);
            String(w, "recallStatusCode", r.RecallStatusCode);
            if (r.WarehouseId.HasValue) w.WriteNumber("warehouseId", r.WarehouseId.Value);
            String(w, "warehouseRemarks", r.WarehouseRemarks);
            if (r.ApiId.HasValue) w.WriteNumber("apiId", r.ApiId.Value);
            // Times as UTC with a Z, the form every ledger version wrote and reads.
            if (r.CreateOn.HasValue) w.WriteString("createOn", r.CreateOn.Value.UtcDateTime);
            w.WriteStartArray("recallInventoryList");
            foreach (var i in r.AllLines) // removed lines too: their status is what marks them removed
            {
                w.WriteStartObject();
                w.WriteNumber("recallInventoryId", i.RecallInventoryId);
                w.WriteNumber("returnInventoryId", i.ReturnInventoryId);
                String(w, "recallInventoryStatusCode", i.RecallInventoryStatusCode);
                String(w, "pickUpCode", i.PickUpCode);
                String(w, "trackingNumber", i.TrackingNumber);
                String(w, "listName", i.ListName);
                if (i.Weight.HasValue) w.WriteNumber("weight", i.Weight.Value);
                if (i.Amount.HasValue) w.WriteNumber("amount", i.Amount.Value);
                if (i.PickUpOn.HasValue) w.WriteString("pickUpOn", i.PickUpOn.Value.UtcDateTime);
                String(w, "courierTrackingNumber", i.CourierTrackingNumber);
                String(w, "remarks", i.Remarks);
                String(w, "recallServiceType", i.RecallServiceType);
                String(w, "rma", i.Rma);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void String(Utf8JsonWriter w, string name, string value)
    {
        if (value != null) w.WriteString(name, value);
    }

    private static string Shorten(string text) => text == null || text.Length <= 500 ? text : text.Substring(0, 500) + "...";
}

/// <summary>
/// Owner-only permissions on Unix without a native dependency: File.SetUnixFileMode exists from .NET 7 (every
/// PowerShell that runs this module on Unix), found by reflection because the module targets netstandard2.0.
/// Windows needs nothing: the per-user local data folder is private to the user.
/// </summary>
internal static class UnixPermissions
{
    private static readonly MethodInfo SetUnixFileMode = typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), Type.GetType("System.IO.UnixFileMode") ?? typeof(void) });

    public static void Restrict(string path, bool directory)
    {
        if (System.IO.Path.DirectorySeparatorChar == '\\' || SetUnixFileMode == null) return;
        var mode = directory ? 0x1C0 /* 0700 */ : 0x180 /* 0600 */;
        SetUnixFileMode.Invoke(null, new[] { path, Enum.ToObject(SetUnixFileMode.GetParameters()[1].ParameterType, mode) });
    }
}
