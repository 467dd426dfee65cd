export function Footer() {
  return (
    <footer className="site-footer">
      <div className="wrap">
        <p>Demo data: a subset of “Online Retail” by Daqing Chen, Sai Liang Sain and Kun Guo (2012), UCI Machine Learning Repository, licensed CC BY 4.0.</p>
      </div>
    </footer>
  );
}
