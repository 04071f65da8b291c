export { type CarveAdmin, type CarveAdminOptions, carveAdmin } from './carve-admin.js';
export { Topology, type TopologyEdge, type TopologyModule, buildTopology } from './topology.js';
