# Get-RrInventory -Rma against the emulator: exact RMAs and patterns, the listing narrowed to the receive dates the
# RMAs encode, stopping once every exact RMA was found, RrRmaNotFound, and how -Rma combines with the other parameters.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-RrTestModule | Out-Null
    # The seed spreads 1,000 inventories over the last 180 days: a 30-day listing is about 4 pages of 50.
    $script:emulator = Start-RrTestEmulator -ExtraArgs '--seed-inventory', '1000'
    $script:session = Connect-RrService -BaseUri $emulator.UserApiBase -ApiKey $emulator.ApiKey -ApiToken $emulator.ApiToken -PassThru

    function Get-ListCall { Get-RrTestApiCall -Emulator $emulator -PathLike 'ReturnInventory/list' }
    function Clear-ApiCall { $null = Invoke-RrEmulatorControl -Emulator $emulator -Method DELETE -Path 'requests' }

    function Get-QueryValue($Call, [string] $Name) {
        if ("$($Call.query)" -match "(^|[?&])$Name=(?<value>[^&]*)") { [uri]::UnescapeDataString($Matches.value) }
    }

    # The [createFrom, createTo) of a list call, as UTC DateTimes.
    function Get-CallWindow($Call) {
        foreach ($name in 'createFrom', 'createTo') {
            [datetime]::Parse((Get-QueryValue $Call $name), [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
        }
    }

    function Add-TestInventory([hashtable[]] $Items) {
        $body = foreach ($with in $Items) {
            $item = @{ handlingCode = 'tbc'; handlingStatusCode = 'pending'; warehouseId = 2 }
            foreach ($key in $with.Keys) { $item[$key] = $with[$key] }
            $item
        }
        @(Invoke-RrEmulatorControl -Emulator $emulator -Method POST -Path 'inventories' -Body @($body) | ForEach-Object returnInventoryId)
    }

    function Iso([datetime] $Utc) { $Utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture) }
    function RmaDate([datetime] $Utc) { $Utc.ToString('yyMMdd', [cultureinfo]::InvariantCulture) }

    # A day long before the seed, so that what a test adds there is alone in its windows.
    $script:D0 = [datetime]::SpecifyKind([datetime]::UtcNow.Date.AddDays(-400), 'Utc')

    # Seeded inventories 10 and 20 days old (their RMAs carry the UTC date of their creation).
    $recent = @(Get-RrInventory -CreatedAfter ([datetime]::UtcNow.AddDays(-25)) -CreatedBefore ([datetime]::UtcNow.AddDays(-5)))
    $script:seeded = @(
        $recent | Where-Object { $_.CreateOn -lt [datetime]::UtcNow.AddDays(-19) } | Select-Object -First 1
        $recent | Where-Object { $_.CreateOn -gt [datetime]::UtcNow.AddDays(-11) } | Select-Object -First 1)
}

AfterAll {
    Disconnect-RrService
    Stop-RrTestEmulator $emulator
}

Describe 'Get-RrInventory -Rma' {
    BeforeEach { Clear-ApiCall }

    It 'finds an exact RMA by listing only the days around its receive date' {
        $wanted = $seeded[0]
        $found = @(Get-RrInventory -Rma $wanted.Rma)
        $found.ReturnInventoryId | Should -Be $wanted.ReturnInventoryId

        $day = [datetime]::SpecifyKind($wanted.CreateOn.ToUniversalTime().Date, 'Utc')
        $calls = @(Get-ListCall)
        $calls.Count | Should -BeLessOrEqual 2  # a 3-day window holds about 17 seeded records: one page, two at most
        foreach ($call in $calls) {
            $from, $to = Get-CallWindow $call
            $from | Should -Be $day.AddDays(-1)
            $to | Should -Be $day.AddDays(2)
        }
    }

    It 'accepts RMAs in any case and with the white space of a CSV cell' {
        $wanted = $seeded[1]
        $found = @(Get-RrInventory -Rma "  $($wanted.Rma.ToLowerInvariant())`t")
        $found.ReturnInventoryId | Should -Be $wanted.ReturnInventoryId
    }

    It 'takes the RMA column of a CSV as one listing (help example 6)' {
        $missing = "USE-2-$(RmaDate $D0.AddDays(300))-D09998-02"
        @($seeded.Rma) + $missing | ForEach-Object { [pscustomobject]@{ Rma = " $_ "; Note = 'x' } } | Export-Csv TestDrive:/rmas.csv -NoTypeInformation
        $found = @(Get-RrInventory -Rma (Import-Csv TestDrive:/rmas.csv).Rma -ErrorVariable notFound -ErrorAction SilentlyContinue |
                Get-RrInventory | Select-Object Rma, ReturnInventoryId, HandlingCode, ImageUrls)
        # In creation order, as listed; each date's window once.
        $found.ReturnInventoryId | Should -Be $seeded.ReturnInventoryId
        $notFound.TargetObject | Should -Be $missing
        Get-RrTestApiCall -Emulator $emulator -PathLike 'GetReturnInventory' | Should -HaveCount 2
        @(Get-ListCall | ForEach-Object { Get-QueryValue $_ 'createFrom' } | Select-Object -Unique).Count | Should -Be 3
    }

    It 'lists each date once and merges the windows of neighbouring dates' {
        $ids = Add-TestInventory @(
            @{ createOn = Iso $D0.AddHours(10); rma = "USE-2-$(RmaDate $D0)-D00001-11" }
            @{ createOn = Iso $D0.AddDays(1).AddHours(10); rma = "USE-2-$(RmaDate $D0.AddDays(1))-D00001-12" }
            @{ createOn = Iso $D0.AddDays(40).AddHours(10); rma = "USE-2-$(RmaDate $D0.AddDays(40))-D00001-13" })
        $rmas = "USE-2-$(RmaDate $D0.AddDays(40))-D00001-13", "USE-2-$(RmaDate $D0)-D00001-11", "USE-2-$(RmaDate $D0.AddDays(1))-D00001-12"

        $found = @(Get-RrInventory -Rma $rmas)
        $found.ReturnInventoryId | Should -Be $ids
        $windows = @(Get-ListCall | ForEach-Object { , @(Get-CallWindow $_) })
        $windows.Count | Should -Be 2
        $windows[0][0] | Should -Be $D0.AddDays(-1)
        $windows[0][1] | Should -Be $D0.AddDays(3)
        $windows[1][0] | Should -Be $D0.AddDays(39)
        $windows[1][1] | Should -Be $D0.AddDays(42)
    }

    It 'finds an RMA dated in the warehouse''s time zone, a day off the UTC creation date' {
        $d = $D0.AddDays(100)
        $ids = Add-TestInventory @(
            # A warehouse at UTC+8 receiving at 01:00 on day d: the day before in UTC.
            @{ createOn = Iso $d.AddHours(-7); rma = "TWN-20-$(RmaDate $d)-D00001-21"; warehouseId = 20 }
            # A warehouse at UTC-8 receiving at 23:00 on day d: the day after in UTC.
            @{ createOn = Iso $d.AddHours(31); rma = "USW-1034-$(RmaDate $d)-D00001-22"; warehouseId = 1034 })
        $found = @(Get-RrInventory -Rma "TWN-20-$(RmaDate $d)-D00001-21", "USW-1034-$(RmaDate $d)-D00001-22")
        $found.ReturnInventoryId | Should -Be $ids
    }

    It 'finds a split parcel created after the receive date in its RMA' {
        $received = $D0.AddDays(200)
        $id = Add-TestInventory @{ createOn = Iso $received.AddDays(45); rma = "USE-2-$(RmaDate $received)-D00007-01-30" }
        (Get-RrInventory -Rma "USE-2-$(RmaDate $received)-D00007-01-30").ReturnInventoryId | Should -Be $id
    }

    It 'stops listing once every exact RMA was found' {
        # The first 62-day window holds about 7 pages; the RMA is on its second.
        $from = [datetime]::UtcNow.AddDays(-120)
        $wanted = @(Get-RrInventory -CreatedAfter $from -First 60)[-1]

        Clear-ApiCall
        $found = @(Get-RrInventory -Rma $wanted.Rma -CreatedAfter $from -ThrottleLimit 1)
        $found.ReturnInventoryId | Should -Be $wanted.ReturnInventoryId
        @(Get-ListCall | ForEach-Object { Get-QueryValue $_ 'offset' }) | Should -Be '0', '50'

        # In parallel, only the pages already in flight when it was found are read too.
        Clear-ApiCall
        $found = @(Get-RrInventory -Rma $wanted.Rma -CreatedAfter $from -ThrottleLimit 4)
        $found.ReturnInventoryId | Should -Be $wanted.ReturnInventoryId
        @(Get-ListCall).Count | Should -BeLessOrEqual 5
    }

    It 'writes RrRmaNotFound for each exact RMA not found, and still writes the others' {
        $missing = "USE-2-$(RmaDate $D0.AddDays(300))-D09999-01"
        $found = @(Get-RrInventory -Rma $missing, $seeded[0].Rma -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found.ReturnInventoryId | Should -Be $seeded[0].ReturnInventoryId
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrRmaNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be $missing
        $failures[0].Exception.Message | Should -BeLike '*-CreatedAfter*'
    }

    It 'looks only in -CreatedAfter/-CreatedBefore when they are given' {
        $wanted = $seeded[0]
        $from = [datetime]::UtcNow.AddDays(-5)
        $found = @(Get-RrInventory -Rma $wanted.Rma -CreatedAfter $from -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RrRmaNotFound,*'
        foreach ($call in Get-ListCall) { (Get-CallWindow $call)[0] | Should -BeGreaterOrEqual $from.AddSeconds(-1) }
    }

    It 'filters on a pattern within the days of its date' {
        $day = [datetime]::SpecifyKind($seeded[1].CreateOn.ToUniversalTime().Date, 'Utc')
        $pattern = "*-$(RmaDate $day)-*"  # '*' may span dashes: no date is read from it
        $dated = "USE-2-$(RmaDate $day)-*"
        $all = @(Get-RrInventory -CreatedAfter $day.AddDays(-1) -CreatedBefore $day.AddDays(2))
        $expected = @($all | Where-Object Rma -Like $dated)
        $expected.Count | Should -BeGreaterThan 0

        Clear-ApiCall
        $found = @(Get-RrInventory -Rma $dated.ToLowerInvariant())
        $found.ReturnInventoryId | Should -Be $expected.ReturnInventoryId
        foreach ($call in Get-ListCall) { (Get-CallWindow $call)[0] | Should -Be $day.AddDays(-1) }

        # A pattern that fixes no date lists the default 30 days.
        Clear-ApiCall
        @(Get-RrInventory -Rma $pattern).Count | Should -Be @($all | Where-Object Rma -Like $pattern).Count
        $from, $to = Get-CallWindow (Get-ListCall)[0]
        ($to - $from).TotalDays | Should -Be 30
    }

    It 'combines with the other filters and -First' {
        $wanted = $seeded[0]
        $otherCode = if ($wanted.HandlingCode -eq 'dis') { 'ohd' } else { 'dis' }
        # Found but filtered out: no record and no RrRmaNotFound.
        @(Get-RrInventory -Rma $wanted.Rma -HandlingCode $otherCode -ErrorVariable failures -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
        $failures | Should -BeNullOrEmpty
        # -First 1 stops the search: the RMAs not looked for are not reported.
        $found = @(Get-RrInventory -Rma $seeded.Rma -First 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found.ReturnInventoryId | Should -Be $seeded[0].ReturnInventoryId
        $failures | Should -BeNullOrEmpty
    }

    It 'reports blank values on their own and lists nothing when no value is left' {
        $found = @(Get-RrInventory -Rma '', ' ' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found | Should -BeNullOrEmpty
        $failures.Count | Should -Be 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RrInvalidRma,*' }
        Get-ListCall | Should -BeNullOrEmpty
    }

    It 'lists nothing, with a warning, when -Rma has no value at all (an empty CSV)' {
        foreach ($none in @($null, @())) {
            $found = @(Get-RrInventory -Rma $none -WarningVariable warnings -WarningAction SilentlyContinue)
            $found | Should -BeNullOrEmpty
            "$warnings" | Should -BeLike '*no value*'
        }
        Get-ListCall | Should -BeNullOrEmpty
    }

    It 'warns about a value that is not an RMA and an RMA of a warehouse -WarehouseId leaves out' {
        $null = Get-RrInventory -Rma 12345 -CreatedAfter $D0 -CreatedBefore $D0.AddDays(1) -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $warnings | Should -HaveCount 1
        "$warnings" | Should -BeLike '*does not look like an RMA*-ReturnInventoryId*'

        $null = Get-RrInventory -Rma "USE-2-$(RmaDate $D0)-D00001-11" -WarehouseId 1034 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        "$warnings" | Should -BeLike '*warehouse 2*-WarehouseId*'
    }

    It 'is a listing parameter: it does not combine with -ReturnInventoryId' {
        { Get-RrInventory -ReturnInventoryId 1 -Rma $seeded[0].Rma } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
    }
}
