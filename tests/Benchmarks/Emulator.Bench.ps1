#Requires -Version 7.2
<#
.SYNOPSIS
The emulator's own throughput: GetReturnInventory and 100-id recall creation, requests per second, and how much of
the machine the emulator uses while serving them (it must never be the bottleneck of the module's benchmarks).

.DESCRIPTION
Starts the emulator with -SeedInventory inventories and drives it from a minimal C# client in this process
(Add-Type, one HttpClient, -Clients concurrent request loops). The phases, each for every number in -Clients:
  GetReturnInventory    GET of seeded ids, round robin, for -Seconds;
  createRecall (100)    -RecallRequests POSTs of Recall/createRecallByReturnInventoryId with 100 fresh eligible ids
                        each (created through /_emulator/inventories after a reset, over warehouses 2, 1034 and 20).
Each phase is warmed up first (-WarmupSeconds of GETs, -WarmupRecalls recalls), and every answer is parsed and
counted as failed unless it is an envelope with meta.status 200. The table shows requests/s, mean and p99 latency,
and the CPU time of the emulator and of this process (the client) as a share of the wall time (100% = one core)
and of the machine (wall time x cores). Reports only: exit code 0 whatever the numbers.
#>
[CmdletBinding()]
param(
    [ValidateRange(1000, 1000000)] [int] $SeedInventory = 20000,
    [ValidateRange(1, 64)] [int[]] $Clients = @(1, 4, 8),
    [ValidateRange(0.5, 60)] [double] $Seconds = 3,
    [ValidateRange(0.1, 10)] [double] $WarmupSeconds = 0.5,
    [ValidateRange(10, 100000)] [int] $RecallRequests = 3000,
    [ValidateRange(1, 10000)] [int] $WarmupRecalls = 50
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')

Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

public sealed class RrLoadResult
{
    public int Clients { get; set; }
    public long Requests { get; set; }
    public long Failed { get; set; }
    public double Seconds { get; set; }
    public double MeanMs { get; set; }
    public double P99Ms { get; set; }
}

public sealed class RrLoadClient : IDisposable
{
    private readonly HttpClient http;
    private readonly string userApiBase;
    private readonly string baseAddress;

    public RrLoadClient(string baseAddress, string userApiBase, string apiKey, string apiToken)
    {
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        http.DefaultRequestHeaders.Add("x-rr-apikey", apiKey);
        http.DefaultRequestHeaders.Add("x-rr-apitoken", apiToken);
        this.baseAddress = baseAddress.TrimEnd('/');
        this.userApiBase = userApiBase.TrimEnd('/');
    }

    /// <summary>Creates eligible inventories (tbc/pending over warehouses 2, 1034, 20) through the control surface; returns their ids.</summary>
    public long[] CreateEligible(int count)
    {
        var ids = new List<long>(count);
        var warehouses = new[] { 2, 1034, 20 };
        for (var done = 0; done < count; done += 10000)
        {
            var items = Enumerable.Range(done, Math.Min(10000, count - done))
                .Select(i => "{\"warehouseId\":" + warehouses[i % 3] + ",\"handlingCode\":\"tbc\",\"handlingStatusCode\":\"pending\"}");
            using (var content = new StringContent("[" + string.Join(",", items) + "]", Encoding.UTF8, "application/json"))
            using (var response = http.PostAsync(baseAddress + "/_emulator/inventories", content).GetAwaiter().GetResult())
            using (var doc = JsonDocument.Parse(response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()))
                ids.AddRange(doc.RootElement.EnumerateArray().Select(inventory => inventory.GetProperty("returnInventoryId").GetInt64()));
        }
        return ids.ToArray();
    }

    /// <summary>GETs the inventories round robin from `clients` concurrent loops for `seconds`.</summary>
    public RrLoadResult GetInventories(long[] ids, int clients, double seconds)
    {
        var url = userApiBase + "/ReturnInventory/GetReturnInventory?returnInventoryId=";
        return Run(clients, TimeSpan.FromSeconds(seconds), long.MaxValue,
            i => new HttpRequestMessage(HttpMethod.Get, url + ids[i % ids.Length]));
    }

    /// <summary>Recalls the ids, 100 per request, from `clients` concurrent loops.</summary>
    public RrLoadResult CreateRecalls(long[] ids, int clients)
    {
        var url = userApiBase + "/Recall/createRecallByReturnInventoryId";
        return Run(clients, TimeSpan.MaxValue, ids.Length / 100, i => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("{\"returnInventoryIdList\":[" + string.Join(",", ids.Skip((int)i * 100).Take(100)) + "]}",
                Encoding.UTF8, "application/json")
        });
    }

    private RrLoadResult Run(int clients, TimeSpan duration, long maxRequests, Func<long, HttpRequestMessage> makeRequest)
    {
        var latencies = new List<long>[clients];
        long next = -1, failed = 0;
        var watch = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<long>();
            for (long i; (i = Interlocked.Increment(ref next)) < maxRequests && watch.Elapsed < duration; )
            {
                using (var request = makeRequest(i))
                {
                    var start = Stopwatch.GetTimestamp();
                    byte[] body;
                    using (var response = await http.SendAsync(request).ConfigureAwait(false))
                        body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    mine.Add(Stopwatch.GetTimestamp() - start);
                    if (!IsSuccessEnvelope(body)) Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        Task.WaitAll(loops);
        watch.Stop();
        var sorted = latencies.SelectMany(l => l).OrderBy(t => t).ToArray();
        var msPerTick = 1000.0 / Stopwatch.Frequency;
        return new RrLoadResult
        {
            Clients = clients, Requests = sorted.Length, Failed = failed, Seconds = watch.Elapsed.TotalSeconds,
            MeanMs = sorted.Length == 0 ? 0 : sorted.Average() * msPerTick,
            P99Ms = sorted.Length == 0 ? 0 : sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1] * msPerTick
        };
    }

    private static bool IsSuccessEnvelope(byte[] body)
    {
        try
        {
            using (var doc = JsonDocument.Parse(body))
                return doc.RootElement.TryGetProperty("meta", out var meta) && meta.GetProperty("status").GetInt32() == 200;
        }
        catch (JsonException) { return false; }
    }

    public void Dispose() { http.Dispose(); }
}
'@

$emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', $SeedInventory -TimeoutSeconds 120
$client = $null
$self = [Diagnostics.Process]::GetCurrentProcess()

# Runs $Measure (which returns an RrLoadResult) and adds the CPU time the emulator and this process used meanwhile.
function Measure-Phase([string] $Name, [scriptblock] $Measure) {
    $emulator.Process.Refresh(); $self.Refresh()
    $emulatorCpu, $clientCpu = $emulator.Process.TotalProcessorTime, $self.TotalProcessorTime
    $result = & $Measure
    $emulator.Process.Refresh(); $self.Refresh()
    $result | Add-Member -PassThru -NotePropertyMembers ([ordered]@{
            Phase       = $Name
            EmulatorCpu = ($emulator.Process.TotalProcessorTime - $emulatorCpu).TotalSeconds
            ClientCpu   = ($self.TotalProcessorTime - $clientCpu).TotalSeconds
        })
}

try {
    $client = [RrLoadClient]::new($emulator.BaseAddress, $emulator.UserApiBase, $emulator.ApiKey, [Net.NetworkCredential]::new('', $emulator.ApiToken).Password)
    $seeded = [long[]](100001..(100000 + $SeedInventory))
    $rows = @(
        foreach ($n in $Clients) {
            $null = $client.GetInventories($seeded, $n, $WarmupSeconds)
            Measure-Phase 'GetReturnInventory' { $client.GetInventories($seeded, $n, $Seconds) }
        }
        foreach ($n in $Clients) {
            # A small emulator state for each phase: reset, warm up on a few recalls, then a fresh pool of ids.
            $null = Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'reset' -Body @{ seedInventory = 0 }
            $null = $client.CreateRecalls($client.CreateEligible(100 * $WarmupRecalls), $n)
            $pool = $client.CreateEligible(100 * $RecallRequests)
            Measure-Phase 'createRecall (100 ids)' { $client.CreateRecalls($pool, $n) }
        }
    )
    $cores = [Environment]::ProcessorCount
    Write-Host ''
    Write-Host "Emulator throughput from a C# client on the same machine ($cores cores; $SeedInventory seeded inventories; GETs for $Seconds s, $RecallRequests recalls of 100 ids)"
    $rows | Format-Table Phase, Clients,
        @{ n = 'Requests'; e = { '{0:N0}' -f $_.Requests }; a = 'right' },
        @{ n = 'Failed'; e = { '{0:N0}' -f $_.Failed }; a = 'right' },
        @{ n = 'req/s'; e = { '{0:N0}' -f ($_.Requests / $_.Seconds) }; a = 'right' },
        @{ n = 'Mean ms'; e = { '{0:N2}' -f $_.MeanMs }; a = 'right' },
        @{ n = 'p99 ms'; e = { '{0:N2}' -f $_.P99Ms }; a = 'right' },
        @{ n = 'Emulator CPU/wall'; e = { '{0:P0}' -f ($_.EmulatorCpu / $_.Seconds) }; a = 'right' },
        @{ n = 'Emulator CPU/machine'; e = { '{0:P0}' -f ($_.EmulatorCpu / $_.Seconds / $cores) }; a = 'right' },
        @{ n = 'Client CPU/wall'; e = { '{0:P0}' -f ($_.ClientCpu / $_.Seconds) }; a = 'right' },
        @{ n = 'Client CPU/machine'; e = { '{0:P0}' -f ($_.ClientCpu / $_.Seconds / $cores) }; a = 'right' } | Out-String -Width 200 | Write-Host
    Write-Host "CPU/wall: 100% = one core busy for the whole phase. CPU/machine: share of all $cores cores; emulator + client near 100% means the machine is saturated."
    Write-Host "CPU time includes .NET thread-pool spin-waiting between requests, so it overstates the work done at low load."
}
finally {
    if ($client) { $client.Dispose() }
    Stop-RrTestEmulator $emulator
}
