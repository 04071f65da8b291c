/** Demo products seeded into an empty catalog on start, unless SEED_DEMO=false. */
export const DEMO_PRODUCTS = [
  { sku: 'MUG-001', name: 'Carve enamel mug', priceCents: 1400, stock: 120 },
  { sku: 'TEE-001', name: 'Modular monolith t-shirt', priceCents: 2500, stock: 80 },
  { sku: 'STK-001', name: 'Bounded context sticker pack', priceCents: 500, stock: 500 },
  { sku: 'BK-001', name: 'Ports and adapters, a field guide', priceCents: 3900, stock: 40 },
  { sku: 'CAP-001', name: 'Typed port cap', priceCents: 2000, stock: 60 },
  { sku: 'LTD-001', name: 'Limited edition print', priceCents: 12000, stock: 3 },
];
