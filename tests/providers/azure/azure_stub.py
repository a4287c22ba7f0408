"""A local HTTPS stand-in for Azure: token endpoint, ARM (subscriptions, Cost Management,
Compute, Network, Monitor) and the Retail Prices API, shaped like the real answers."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

SUB1 = "11111111-1111-1111-1111-111111111111"
SUB2 = "22222222-2222-2222-2222-222222222222"
RG = f"/subscriptions/{SUB1}/resourceGroups/shop/providers"
VM_WEB = f"{RG}/Microsoft.Compute/virtualMachines/vm-web"
VM_IDLE = f"{RG}/Microsoft.Compute/virtualMachines/vm-idle"
VM_OLD = f"{RG}/Microsoft.Compute/virtualMachines/vm-old"
DISK_WEB = f"{RG}/Microsoft.Compute/disks/disk-web"
DISK_OLD = f"{RG}/Microsoft.Compute/disks/disk-old"
DISK_ORPHAN = f"{RG}/Microsoft.Compute/disks/disk-orphan"
IP_WEB = f"{RG}/Microsoft.Network/publicIPAddresses/ip-web"
IP_FREE = f"{RG}/Microsoft.Network/publicIPAddresses/ip-free"
TOKEN = "stub-access-token"
IDENTITY_HEADER = "stub-identity-header"


def _vm(
    vm_id: str,
    size: str,
    power: str,
    zone: str | None,
    tags: dict[str, str],
    spot: bool = False,
    os_type: str | None = None,
    license_type: str | None = None,
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "hardwareProfile": {"vmSize": size},
        "provisioningState": "Succeeded",
        "timeCreated": "2026-01-05T10:00:00Z",
        "instanceView": {
            "statuses": [
                {"code": "ProvisioningState/succeeded", "level": "Info"},
                {"code": f"PowerState/{power}", "level": "Info"},
            ]
        },
    }
    if spot:
        props["priority"] = "Spot"
    body = {
        "id": vm_id,
        "name": vm_id.rsplit("/", 1)[1],
        "type": "Microsoft.Compute/virtualMachines",
        "location": "eastus",
        "tags": tags,
        "properties": props,
    }
    if os_type:
        props["storageProfile"] = {"osDisk": {"osType": os_type, "name": "osdisk"}}
    if license_type:
        props["licenseType"] = license_type
    if zone:
        body["zones"] = [zone]
    return body


VMS = [
    _vm(
        VM_WEB,
        "Standard_D2s_v5",
        "running",
        "1",
        {"workload": "web", "team": "shop"},
        False,
        "Linux",
    ),
    _vm(VM_IDLE, "Standard_D4s_v5", "running", "2", {"team": "shop"}),
    _vm(VM_OLD, "Standard_D2s_v5", "deallocated", None, {"team": "legacy"}, False, "Linux"),
]
VM_WIN = f"{RG}/Microsoft.Compute/virtualMachines/vm-win"
VM_AHB = f"{RG}/Microsoft.Compute/virtualMachines/vm-ahb"
VM_GPU = f"{RG}/Microsoft.Compute/virtualMachines/vm-gpu"
PLATFORM_VMS = [  # StubState.extra_vms for the platform and accelerator tests
    _vm(VM_WIN, "Standard_D2s_v5", "running", "1", {"workload": "erp"}, False, "Windows"),
    # Azure Hybrid Benefit: the customer's own Windows Server licence
    _vm(VM_AHB, "Standard_D2s_v5", "running", "1", {}, False, "Windows", "Windows_Server"),
    _vm(VM_GPU, "Standard_NC24ads_A100_v4", "running", "1", {"workload": "ml"}, False, "Linux"),
]
VM_SIZES = [
    {
        "name": "Standard_D2s_v5",
        "numberOfCores": 2,
        "memoryInMB": 8192,
        "maxDataDiskCount": 4,
        "osDiskSizeInMB": 1047552,
        "resourceDiskSizeInMB": 0,
    },
    {
        "name": "Standard_D4s_v5",
        "numberOfCores": 4,
        "memoryInMB": 16384,
        "maxDataDiskCount": 8,
        "osDiskSizeInMB": 1047552,
        "resourceDiskSizeInMB": 0,
    },
    {
        "name": "Standard_D4ps_v5",
        "numberOfCores": 4,
        "memoryInMB": 16384,
        "maxDataDiskCount": 8,
        "osDiskSizeInMB": 1047552,
        "resourceDiskSizeInMB": 0,
    },
]


def _sku(
    name: str, vcpus: int, memory_gb: float, arch: str = "x64", gpus: int = 0
) -> dict[str, Any]:
    """A ``virtualMachines`` resource SKU, shaped like resourceSkus.list's answer."""
    caps = {"vCPUs": str(vcpus), "MemoryGB": f"{memory_gb:g}", "CpuArchitectureType": arch}
    if gpus:
        caps["GPUs"] = str(gpus)
    return {
        "resourceType": "virtualMachines",
        "name": name,
        "tier": "Standard",
        "size": name.removeprefix("Standard_"),
        "locations": ["eastus"],
        "locationInfo": [{"location": "eastus", "zones": ["1", "2", "3"]}],
        "capabilities": [{"name": k, "value": v} for k, v in caps.items()],
        "restrictions": [],
    }


RESOURCE_SKUS = [
    _sku("Standard_D2s_v5", 2, 8),
    _sku("Standard_D4s_v5", 4, 16),
    _sku("Standard_D4ps_v5", 4, 16, "Arm64"),
    _sku("Standard_NC24ads_A100_v4", 24, 220, gpus=1),
    {"resourceType": "disks", "name": "Premium_LRS", "locations": ["eastus"], "capabilities": []},
]


def _disk(disk_id: str, sku: str, size: int, state: str, owner: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": disk_id,
        "name": disk_id.rsplit("/", 1)[1],
        "type": "Microsoft.Compute/disks",
        "location": "eastus",
        "tags": {"team": "shop"},
        "sku": {"name": sku, "tier": "Premium"},
        "properties": {
            "diskSizeGB": size,
            "diskState": state,
            "timeCreated": "2025-11-01T08:00:00Z",
            "provisioningState": "Succeeded",
        },
    }
    if owner:
        body["managedBy"] = owner
    return body


DISKS = [
    _disk(DISK_WEB, "Premium_LRS", 128, "Attached", VM_WEB),
    # managedBy spells the resource group in upper case, as ARM often does
    _disk(DISK_OLD, "Premium_LRS", 100, "Reserved", VM_OLD.replace("/shop/", "/SHOP/")),
    _disk(DISK_ORPHAN, "StandardSSD_LRS", 64, "Unattached", None),
]
IPS = [
    {
        "id": IP_WEB,
        "name": "ip-web",
        "location": "eastus",
        "sku": {"name": "Standard"},
        "properties": {
            "ipAddress": "20.1.2.3",
            "publicIPAllocationMethod": "Static",
            "ipConfiguration": {
                "id": f"{RG}/Microsoft.Network/networkInterfaces/nic/ipConfigurations/c"
            },
        },
    },
    {
        "id": IP_FREE,
        "name": "ip-free",
        "location": "eastus",
        "sku": {"name": "Standard"},
        "tags": {"team": "shop"},
        "properties": {"ipAddress": "20.1.2.4", "publicIPAllocationMethod": "Static"},
    },
]
# 14 days of hourly averages: web averages 34% with a p95 of 50%, idle stays at 1% (p95).
CPU = {VM_WEB: ([30.0] * 21 + [50.0, 50.0, 86.0]) * 14, VM_IDLE: ([1.0] * 23 + [3.0]) * 14}


def _price(
    sku: str,
    meter: str,
    price: float,
    kind: str = "Consumption",
    product: str = "Virtual Machines Dsv5 Series",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": "eastus",
        "location": "US East",
        "effectiveStartDate": "2024-01-01T00:00:00Z",
        "meterId": "m-" + meter,
        "meterName": meter,
        "productId": "p",
        "skuId": "p/s",
        "productName": product,
        "skuName": meter,
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": kind,
        "isPrimaryMeterRegion": True,
        "armSkuName": sku,
        **extra,
    }


NC_A100 = "Virtual Machines NCadsA100v4 Series"
VM_PRICES = [
    _price("Standard_D2s_v5", "D2s v5", 0.096),
    _price("Standard_D2s_v5", "D2s v5 Spot", 0.0192),
    _price("Standard_D2s_v5", "D2s v5", 0.188, product="Virtual Machines Dsv5 Series Windows"),
    _price("Standard_D2s_v5", "D2s v5", 0.05, kind="DevTestConsumption"),
    _price("Standard_D2s_v5", "D2s v5", 516.0, kind="Reservation", reservationTerm="1 Year"),
    _price("Standard_D2s_v5", "D2s v5", 990.0, kind="Reservation", reservationTerm="3 Years"),
    _price("Standard_D4s_v5", "D4s v5", 0.192),
    _price("Standard_D4s_v5", "D4s v5 Low Priority", 0.03),
    _price("Standard_D4ps_v5", "D4ps v5", 0.154, product="Virtual Machines Dpsv5 Series"),
    _price(
        "Standard_D2s_v5", "D2s v5 Spot", 0.0376, product="Virtual Machines Dsv5 Series Windows"
    ),
    _price("Standard_NC24ads_A100_v4", "NC24ads A100 v4", 3.673, product=NC_A100),
    _price("Standard_NC24ads_A100_v4", "NC24ads A100 v4 Spot", 1.2856, product=NC_A100),
    _price(
        "Standard_NC24ads_A100_v4",
        "NC24ads A100 v4",
        20064.0,
        "Reservation",
        NC_A100,
        reservationTerm="1 Year",
    ),
]
OTHER_PRICES = [
    {
        **_price("", "P10 LRS Disk", 19.71, product="Premium SSD Managed Disks"),
        "serviceName": "Storage",
        "skuName": "P10 LRS",
        "unitOfMeasure": "1/Month",
    },
    {
        **_price("", "E6 LRS Disk", 4.8, product="Standard SSD Managed Disks"),
        "serviceName": "Storage",
        "skuName": "E6 LRS",
        "unitOfMeasure": "1/Month",
    },
    {
        **_price("", "Standard IPv4 Static Public IP", 0.005, product="IP Addresses"),
        "serviceName": "Virtual Network",
        "skuName": "Standard",
    },
]
COLUMNS = [
    {"name": n, "type": t}
    for n, t in [
        ("Cost", "Number"),
        ("UsageDate", "Number"),
        ("ResourceId", "String"),
        ("ServiceName", "String"),
        ("ResourceLocation", "String"),
        ("PricingModel", "String"),
        ("MeterCategory", "String"),
        ("Currency", "String"),
    ]
]
COST_PAGES = {
    "ActualCost": [
        [
            [
                10.5,
                20261001,
                VM_WEB.lower(),
                "Virtual Machines",
                "eastus",
                "OnDemand",
                "Virtual Machines",
                "USD",
            ]
        ],
        [
            [3.25, 20261001, DISK_OLD.lower(), "Storage", "eastus", "OnDemand", "Storage", "USD"],
            [
                100.0,
                20261002,
                "",
                "Virtual Machines",
                "eastus",
                "Reservation",
                "Virtual Machines",
                "USD",
            ],
        ],
    ],
    "AmortizedCost": [
        [
            [
                10.5,
                20261001,
                VM_WEB.lower(),
                "Virtual Machines",
                "eastus",
                "OnDemand",
                "Virtual Machines",
                "USD",
            ]
        ],
        [
            [3.25, 20261001, DISK_OLD.lower(), "Storage", "eastus", "OnDemand", "Storage", "USD"],
            [
                4.0,
                20261002,
                VM_IDLE.lower(),
                "Virtual Machines",
                "eastus",
                "Reservation",
                "Virtual Machines",
                "USD",
            ],
        ],
    ],
}


@dataclass
class StubState:
    """What the stub answers and what it saw. ``throttle`` = 429s to send before cost answers;
    ``forbidden`` subscriptions answer 403 and ``unauthorized`` ones 401 (token rejected)."""

    forbidden: set[str] = field(default_factory=lambda: {SUB2})
    extra_vms: list[dict[str, Any]] = field(default_factory=list)  # listed after VMS
    unauthorized: set[str] = field(default_factory=set)
    throttle: int = 0
    throttle_always: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)
    base: str = ""


def make_handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            for k, v in {
                "Content-Type": "application/json",
                "Content-Length": str(len(data)),
                **(headers or {}),
            }.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _record(self, body: Any = None) -> tuple[str, dict[str, list[str]]]:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            state.calls.append(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": query,
                    "auth": self.headers.get("Authorization"),
                    "body": body,
                    "identity": self.headers.get("X-IDENTITY-HEADER"),
                }
            )
            return url.path, query

        def do_GET(self) -> None:
            path, query = self._record()
            if path == "/msi/token":
                return self._send(
                    200,
                    {
                        "access_token": TOKEN,
                        "expires_on": str(int(time.time()) + 3600),
                        "resource": query["resource"][0],
                        "token_type": "Bearer",
                    },
                )
            if path == "/api/retail/prices":
                return self._retail(query)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(
                    401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}
                )
            if path == "/subscriptions":
                return self._send(
                    200,
                    {
                        "value": [
                            {
                                "id": f"/subscriptions/{s}",
                                "subscriptionId": s,
                                "displayName": s[:4],
                                "state": "Enabled",
                            }
                            for s in (SUB1, SUB2)
                        ]
                        + [{"id": "/subscriptions/x", "subscriptionId": "x", "state": "Disabled"}]
                    },
                )
            sub = path.split("/")[2]
            if sub in state.unauthorized:
                return self._unauthorized()
            if sub in state.forbidden:
                return self._send(
                    403, {"error": {"code": "AuthorizationFailed", "message": "no access"}}
                )
            return self._arm_get(path, sub)

        def _unauthorized(self) -> None:
            # what ARM answers when the token's tenant does not hold the subscription
            message = "The access token is from the wrong issuer"
            self._send(
                401, {"error": {"code": "InvalidAuthenticationTokenTenant", "message": message}}
            )

        def _arm_get(self, path: str, sub: str) -> None:
            if path.endswith("/Microsoft.Compute/virtualMachines"):
                return self._send(200, {"value": VMS + state.extra_vms})
            if path.endswith("/providers/Microsoft.Compute/skus"):
                return self._send(200, {"value": RESOURCE_SKUS})
            if re.search(r"/locations/[^/]+/vmSizes$", path):
                return self._send(200, {"value": VM_SIZES})
            if path.endswith("/Microsoft.Compute/disks"):
                return self._send(200, {"value": DISKS})
            if path.endswith("/Microsoft.Network/publicIPAddresses"):
                return self._send(200, {"value": IPS})
            if path.endswith("/Microsoft.Insights/metrics"):
                return self._send(200, metrics_answer())
            return self._send(404, {"error": {"code": "NotFound", "message": path}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            path, query = self._record(body)
            sub = path.split("/")[2]
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(
                    401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}
                )
            if sub in state.unauthorized:
                return self._unauthorized()
            if sub in state.forbidden:
                return self._send(
                    403, {"error": {"code": "RBACAccessDenied", "message": "no access"}}
                )
            if state.throttle_always or state.throttle > 0:
                state.throttle -= 1
                return self._send(
                    429,
                    {"error": {"code": "429", "message": "Too many requests"}},
                    {"Retry-After": "1"},
                )
            page = 1 if query.get("$skiptoken") == ["page2"] else 0
            pages = COST_PAGES[body["type"]]
            next_link = None
            if page + 1 < len(pages):
                next_link = f"{state.base}{path}?api-version=2025-03-01&$skiptoken=page2"
            return self._send(
                200,
                {
                    "id": f"{path}/q",
                    "name": "q",
                    "type": "Microsoft.CostManagement/query",
                    "properties": {"nextLink": next_link, "columns": COLUMNS, "rows": pages[page]},
                },
            )

        def _retail(self, query: dict[str, list[str]]) -> None:
            odata = query["$filter"][0]
            if "'Virtual Machines'" in odata:
                items = VM_PRICES
                skus = re.findall(r"armSkuName eq '([^']+)'", odata)
                if skus:
                    items = [i for i in items if i["armSkuName"] in skus]
            else:
                names = re.findall(r"skuName eq '([^']+)'", odata)
                service = re.search(r"serviceName eq '([^']+)'", odata)
                items = [
                    i
                    for i in OTHER_PRICES
                    if service
                    and i["serviceName"] == service.group(1)
                    and (not names or i["skuName"] in names)
                ]
            skip = int(query.get("$skip", ["0"])[0])
            page, rest = items[skip : skip + 2], items[skip + 2 :]
            link = None
            if rest:
                link = f"{state.base}/api/retail/prices?" + urlencode(
                    {"api-version": "2023-01-01-preview", "$filter": odata, "$skip": skip + 2}
                )
            self._send(
                200,
                {
                    "BillingCurrency": "USD",
                    "CustomerEntityId": "Default",
                    "CustomerEntityType": "Retail",
                    "Items": page,
                    "NextPageLink": link,
                    "Count": len(page),
                },
            )

    return Handler


def metrics_answer() -> dict[str, Any]:
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    series = [
        {
            "metadatavalues": [
                {
                    "name": {
                        "value": "Microsoft.ResourceId",
                        "localizedValue": "Microsoft.ResourceId",
                    },
                    "value": vm_id.lower(),
                }
            ],
            "data": [
                {"timeStamp": (start + dt.timedelta(hours=i)).isoformat(), "average": v}
                for i, v in enumerate(values)
            ],
        }
        for vm_id, values in CPU.items()
    ]
    return {
        "cost": 0,
        "timespan": "2026-10-01T00:00:00Z/2026-10-15T00:00:00Z",
        "interval": "PT1H",
        "namespace": "Microsoft.Compute/virtualMachines",
        "resourceregion": "eastus",
        "value": [
            {
                "id": f"/subscriptions/{SUB1}/providers/Microsoft.Insights/metrics/Percentage CPU",
                "type": "Microsoft.Insights/metrics",
                "unit": "Percent",
                "timeseries": series,
                "name": {"value": "Percentage CPU", "localizedValue": "Percentage CPU"},
            }
        ],
    }


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "stub-cert.pem", folder / "stub-key.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


def serve(state: StubState, crt: Path, pem: Path) -> ThreadingHTTPServer:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, pem)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    state.base = f"https://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
