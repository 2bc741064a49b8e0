"""Scheduled maintenance feeds the SLA computation.

The impact module excludes an SLA's `maintenance_windows` from downtime. The live investigation
passes it a catalog in which every subscription using a component under a stored (not
cancelled) maintenance window has that window added to its SLA: a subscription is covered when
the window lists one of its deployments (`<service>@<location>`, or the service id for a global
service). The catalog file itself is never changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from outagelens.store.protocol import Store
from outagelens.store.sql import SqlStore
from outagelens.store.status_records import MaintenanceRecord
from outagelens.store.status_sql import SqlStatusStore
from outagelens.topology import Catalog
from outagelens.topology.models import MaintenanceWindow, Subscription
from outagelens.topology.validate import deployment_id


def _covered(sub: Subscription, global_service: bool, record: MaintenanceRecord) -> bool:
    if global_service:
        return sub.service in record.components
    return any(deployment_id(sub.service, loc) in record.components for loc in sub.locations)


def with_maintenances(catalog: Catalog, records: Sequence[MaintenanceRecord]) -> Catalog:
    """The catalog with stored maintenance windows added to the SLAs they cover."""
    active = [r for r in records if not r.cancelled]
    if not active:
        return catalog
    customers = []
    for cust in catalog.data.customers:
        subs = []
        for sub in cust.subscriptions:
            svc = catalog.services.get(sub.service)
            is_global = svc is not None and not svc.locations
            extra = [
                MaintenanceWindow(
                    start=r.scheduled_for.isoformat(),
                    end=r.scheduled_until.isoformat(),
                    description=f"scheduled maintenance: {r.name}",
                )
                for r in active
                if _covered(sub, is_global, r)
            ]
            if sub.sla is not None and extra:
                windows = [*sub.sla.maintenance_windows, *extra]
                sub = sub.model_copy(
                    update={"sla": sub.sla.model_copy(update={"maintenance_windows": windows})}
                )
            subs.append(sub)
        customers.append(cust.model_copy(update={"subscriptions": subs}))
    data = catalog.data.model_copy(update={"customers": customers})
    return Catalog(data, source=catalog.source)


def catalog_for_sla(store: Store, catalog: Catalog) -> Catalog:
    """The catalog the live investigation should use: with the store's maintenance windows."""
    if not isinstance(store, SqlStore):
        return catalog
    return with_maintenances(catalog, SqlStatusStore(store.engine).maintenances())
